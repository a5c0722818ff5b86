import { createGenerator, type Generator, randperm } from '@tensorloom/random'
import { checkKnownOptions, OptionError } from '../errors.js'
import { TensorDataset } from '../TensorDataset.js'

/** Options every toy problem takes. */
export interface ToyOptions {
  /** Number of points (default 200). */
  nSamples?: number
  /** Amount of noise (default 0); what it means is said for each problem. */
  noise?: number
  /** Seed or `Generator` the points are drawn from (default: a random seed). */
  generator?: Generator | number | bigint
}

/** Options of {@link moons} and {@link circles}. */
export interface ShuffledToyOptions extends ToyOptions {
  /** Shuffle the points (default true, as scikit-learn); otherwise class 0 comes first. */
  shuffle?: boolean
}

/** Options of {@link circles}. */
export interface CirclesOptions extends ShuffledToyOptions {
  /** Radius of the inner circle relative to the outer one, in (0, 1) (default 0.8). */
  factor?: number
}

/** Options of {@link blobs}. */
export interface BlobsOptions extends ShuffledToyOptions {
  /** Number of blobs (centres drawn uniformly in `centerBox`) or the centres themselves (default 3). */
  centers?: number | readonly (readonly [number, number])[]
  /** Standard deviation of each blob (default 1). */
  clusterStd?: number
  /** Box the random centres are drawn in (default [-10, 10]). */
  centerBox?: readonly [number, number]
}

const MAX_SAMPLES = 1_000_000

function setup(owner: string, options: ToyOptions, extra: readonly string[]) {
  checkKnownOptions(owner, options, ['nSamples', 'noise', 'generator', ...extra])
  const n = options.nSamples ?? 200
  const noise = options.noise ?? 0
  const bad = (option: string, value: unknown, expected: string): never => {
    throw new OptionError('INVALID_OPTION', { owner, option, value, expected })
  }
  if (!Number.isInteger(n) || n < 1 || n > MAX_SAMPLES) {
    bad('nSamples', n, `an integer from 1 to ${MAX_SAMPLES.toLocaleString('en-US')}`)
  }
  if (typeof noise !== 'number' || !(noise >= 0) || !Number.isFinite(noise)) {
    bad('noise', noise, 'a number >= 0')
  }
  const g = options.generator
  const generator = g === undefined || typeof g !== 'object' ? createGenerator(g) : g
  /** A standard normal draw (Box-Muller on two 53-bit uniforms). */
  const normal = () => {
    const u1 = generator.random()
    const u2 = generator.random()
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2)
  }
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * generator.random()
  return { n, noise, generator, normal, uniform, bad }
}

function finish(
  xs: Float32Array,
  ys: Int32Array,
  classes: string[],
  shuffle: boolean,
  generator: Generator,
  noise: () => number,
): TensorDataset {
  let x = xs
  let y = ys
  if (shuffle) {
    const order = randperm(ys.length, generator)
    x = new Float32Array(xs.length)
    y = new Int32Array(ys.length)
    order.forEach((from, to) => {
      x[2 * to] = xs[2 * from]!
      x[2 * to + 1] = xs[2 * from + 1]!
      y[to] = ys[from]!
    })
  }
  for (let i = 0; i < x.length; i++) x[i]! += noise()
  return new TensorDataset(x, y, { shape: [2], classes })
}

const linspace = (from: number, to: number, n: number, endpoint = true): number[] =>
  Array.from(
    { length: n },
    (_, i) => from + ((to - from) * i) / (endpoint ? Math.max(n - 1, 1) : n),
  )

/**
 * Two interleaving half circles, like scikit-learn's `make_moons`: `n = floor(nSamples / 2)` points
 * `(cos t, sin t)` (class 0) and `nSamples - n` points `(1 - cos t, 1 - sin t - 0.5)` (class 1), `t`
 * evenly spaced over [0, pi]; shuffled, then Gaussian noise of standard deviation `noise` added to
 * each coordinate. A `TensorDataset` of `[2]` features and int32 labels.
 *
 * @example
 * const data = moons({ nSamples: 200, noise: 0.1, generator: 0 })
 */
export function moons(options: ShuffledToyOptions = {}): TensorDataset {
  const { n, noise, generator, normal } = setup('moons', options, ['shuffle'])
  const nOut = Math.floor(n / 2)
  const nIn = n - nOut
  const xs = new Float32Array(2 * n)
  const ys = new Int32Array(n)
  linspace(0, Math.PI, nOut).forEach((t, i) => {
    xs[2 * i] = Math.cos(t)
    xs[2 * i + 1] = Math.sin(t)
  })
  linspace(0, Math.PI, nIn).forEach((t, i) => {
    xs[2 * (nOut + i)] = 1 - Math.cos(t)
    xs[2 * (nOut + i) + 1] = 1 - Math.sin(t) - 0.5
    ys[nOut + i] = 1
  })
  return finish(xs, ys, ['0', '1'], options.shuffle ?? true, generator, () =>
    noise ? noise * normal() : 0,
  )
}

/**
 * A small circle inside a large one, like scikit-learn's `make_circles`: `floor(nSamples / 2)`
 * points `(cos t, sin t)` (class 0) and the rest `factor * (cos t, sin t)` (class 1), `t` evenly
 * spaced over [0, 2 pi) for each; shuffled, then Gaussian noise of standard deviation `noise`.
 */
export function circles(options: CirclesOptions = {}): TensorDataset {
  const { n, noise, generator, normal, bad } = setup('circles', options, ['shuffle', 'factor'])
  const factor = options.factor ?? 0.8
  if (typeof factor !== 'number' || !(factor > 0 && factor < 1))
    bad('factor', factor, 'a number between 0 and 1')
  const nOut = Math.floor(n / 2)
  const nIn = n - nOut
  const xs = new Float32Array(2 * n)
  const ys = new Int32Array(n)
  linspace(0, 2 * Math.PI, nOut, false).forEach((t, i) => {
    xs[2 * i] = Math.cos(t)
    xs[2 * i + 1] = Math.sin(t)
  })
  linspace(0, 2 * Math.PI, nIn, false).forEach((t, i) => {
    xs[2 * (nOut + i)] = factor * Math.cos(t)
    xs[2 * (nOut + i) + 1] = factor * Math.sin(t)
    ys[nOut + i] = 1
  })
  return finish(xs, ys, ['0', '1'], options.shuffle ?? true, generator, () =>
    noise ? noise * normal() : 0,
  )
}

/**
 * Gaussian blobs, like scikit-learn's `make_blobs` in 2-D: `centers` blobs (centres drawn uniformly
 * in `centerBox`, or given), `nSamples` split evenly among them (the first ones get one more when it
 * does not divide), each point its centre plus Gaussian noise of standard deviation `clusterStd`;
 * label = blob index; shuffled. `noise` is not used (use `clusterStd`).
 */
export function blobs(options: BlobsOptions = {}): TensorDataset {
  const { n, generator, normal, uniform, bad } = setup('blobs', options, [
    'shuffle',
    'centers',
    'clusterStd',
    'centerBox',
  ])
  const std = options.clusterStd ?? 1
  if (typeof std !== 'number' || !(std >= 0)) bad('clusterStd', std, 'a number >= 0')
  const [lo, hi] = options.centerBox ?? [-10, 10]
  const c = options.centers ?? 3
  let centers: (readonly [number, number])[]
  if (typeof c === 'number') {
    if (!Number.isInteger(c) || c < 1 || c > 1000)
      bad('centers', c, 'an integer from 1 to 1000, or [x, y] centres')
    centers = Array.from({ length: c }, () => [uniform(lo, hi), uniform(lo, hi)] as const)
  } else if (
    Array.isArray(c) &&
    c.length > 0 &&
    c.every((p) => Array.isArray(p) && p.length === 2)
  ) {
    centers = [...c]
  } else {
    return bad('centers', c, 'a number of blobs or an array of [x, y] centres')
  }
  const k = centers.length
  const xs = new Float32Array(2 * n)
  const ys = new Int32Array(n)
  let i = 0
  for (let b = 0; b < k; b++) {
    const count = Math.floor(n / k) + (b < n % k ? 1 : 0)
    for (let j = 0; j < count; j++, i++) {
      xs[2 * i] = centers[b]![0] + std * normal()
      xs[2 * i + 1] = centers[b]![1] + std * normal()
      ys[i] = b
    }
  }
  const classes = centers.map((_, b) => String(b))
  return finish(xs, ys, classes, options.shuffle ?? true, generator, () => 0)
}

/**
 * Two intertwined spirals, as TensorFlow Playground's "spiral" data set: for each spiral `s` (0 and
 * 1, class `s`) and `i` in `0 .. n - 1` with `n = nSamples / 2`, radius `r = 5 i / n`, angle
 * `t = 1.75 * 2 pi i / n + s pi`, point `(r sin t, r cos t)` plus `noise * u` per coordinate with
 * `u` uniform in [-1, 1] (Playground's noise slider at 50% is `noise: 0.5`). Not shuffled.
 */
export function spirals(options: ToyOptions = {}): TensorDataset {
  const { n, noise, uniform } = setup('spirals', options, [])
  const half = Math.floor(n / 2)
  const xs = new Float32Array(2 * n)
  const ys = new Int32Array(n)
  let k = 0
  for (const s of [0, 1]) {
    const count = s === 0 ? half : n - half
    for (let i = 0; i < count; i++, k++) {
      const r = (i / count) * 5
      const t = ((1.75 * i) / count) * 2 * Math.PI + s * Math.PI
      xs[2 * k] = r * Math.sin(t) + uniform(-1, 1) * noise
      xs[2 * k + 1] = r * Math.cos(t) + uniform(-1, 1) * noise
      ys[k] = s
    }
  }
  return new TensorDataset(xs, ys, { shape: [2], classes: ['0', '1'] })
}

/**
 * The XOR quadrants, as TensorFlow Playground's "exclusive or" data set: `x` and `y` uniform in
 * [-5, 5], pushed 0.3 away from the axes; the label is 1 when `(x + nx) (y + ny) >= 0` (same sign),
 * 0 otherwise, with `nx`, `ny` uniform in `[-5 noise, 5 noise]` (so noise flips labels near the
 * axes; the point itself is not moved).
 */
export function xor(options: ToyOptions = {}): TensorDataset {
  const { n, noise, uniform } = setup('xor', options, [])
  const xs = new Float32Array(2 * n)
  const ys = new Int32Array(n)
  const padding = 0.3
  for (let i = 0; i < n; i++) {
    let x = uniform(-5, 5)
    x += x > 0 ? padding : -padding
    let y = uniform(-5, 5)
    y += y > 0 ? padding : -padding
    const nx = uniform(-5, 5) * noise
    const ny = uniform(-5, 5) * noise
    xs[2 * i] = x
    xs[2 * i + 1] = y
    ys[i] = (x + nx) * (y + ny) >= 0 ? 1 : 0
  }
  return new TensorDataset(xs, ys, { shape: [2], classes: ['0', '1'] })
}
