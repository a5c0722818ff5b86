// The WebGL lab's timing (page side): SwiftShader's queue runs behind the JavaScript that fills it,
// so each case runs `reps` times and one read-back waits for the queue; CPU time is that of all
// Chromium processes. Also the helpers the lab's cases share.
import * as tf from '@tensorflow/tfjs'
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl'
import { cpuNow, cpuSince } from '../engines/cpuClock'

export const backend = () => tf.backend() as MathBackendWebGL

/** The backend's WebGL2 context (tfjs types it as WebGL1's). */
export const gl2 = () => backend().gpgpu.gl as WebGL2RenderingContext

export function runProgram(program: GPGPUProgram, inputs: tf.Tensor[]): tf.Tensor {
  const info = backend().runWebGLProgram(program, inputs, 'float32')
  return tf.engine().makeTensorFromTensorInfo(info)
}

/** What a timed case returns: its outputs (disposed), or nothing (raw WebGL cases). */
export type Out = tf.Tensor | tf.Tensor[] | undefined

let anchor: tf.Tensor | null = null
/** Set by raw-GL cases: a synchronous read of their own output. */
let rawSync: (() => void) | null = null

/** Sets (or clears) the read that waits for a raw-GL case's output. */
export function setRawSync(read: (() => void) | null): void {
  rawSync = read
}

export async function sync(t?: Out): Promise<void> {
  const last = Array.isArray(t) ? t[t.length - 1] : t
  if (!last && rawSync) {
    rawSync()
    return
  }
  if (!last) {
    // On GPU-resident inputs (tfjs runs tiny ops on CPU data on the CPU): waits for the queue.
    anchor ??= tf.add(tf.randomNormal([2, 2]), tf.randomNormal([2, 2]))
    const probe = tf.add(anchor, anchor)
    await probe.data()
    probe.dispose()
    return
  }
  const one = tf.slice(
    last,
    last.shape.map(() => 0),
    last.shape.map(() => 1),
  )
  await one.data()
  one.dispose()
}

let lastCpuMs = 0

/** CPU ms per call of the last {@link timeIt}. */
export const lastCpu = () => lastCpuMs

/** ms per call of `fn` (its outputs disposed), over `reps` calls after 3 warm-up calls. */
export async function timeIt(fn: () => Out, reps: number): Promise<number> {
  for (let i = 0; i < 3; i++) tf.dispose(fn() as tf.Tensor)
  await sync()
  const c0 = await cpuNow()
  const t0 = performance.now()
  let out: Out
  for (let i = 0; i < reps; i++) {
    tf.dispose(out as tf.Tensor)
    out = fn()
  }
  await sync(out)
  const ms = (performance.now() - t0) / reps
  lastCpuMs = ((cpuSince(c0, await cpuNow()) ?? Number.NaN) * 1000) / reps
  tf.dispose(out as tf.Tensor)
  return ms
}

export const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed)

/** Makes `t` a packed texture (as the fast path's tensors are). */
export function packed(t: tf.Tensor): tf.Tensor {
  // A packed identity op: tfjs' packed unary `relu(x) - relu(-x)` would change values; use add 0
  // on a packed binary program.
  const out = tf.add(t, tf.zerosLike(t))
  t.dispose()
  return out
}

export async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.max(tf.abs(tf.sub(a, b)))
  const v = (await d.data())[0]!
  d.dispose()
  return v
}

export interface LabRow {
  name: string
  ms: number
  /** CPU ms of all Chromium processes per call (10 ms clock ticks: use many reps). */
  cpuMs?: number
  note?: string
}
