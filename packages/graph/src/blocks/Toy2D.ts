import { pythonNumber } from '../python.js'
import { defineDataset } from './block.js'
import { float, int } from './params.js'

/** A seeded 2-D toy problem: points `(x, y)` and their class. */
export interface Toy2DParams {
  problem: 'moons' | 'circles' | 'spirals' | 'xor' | 'blobs'
  samples: number
  noise: number
  blobs: number
  seed: number
}

const TS_CALL: Record<Toy2DParams['problem'], (p: Toy2DParams) => string> = {
  moons: (p) => `moons({ nSamples: ${p.samples}, noise: ${p.noise}, generator: ${p.seed} })`,
  circles: (p) => `circles({ nSamples: ${p.samples}, noise: ${p.noise}, generator: ${p.seed} })`,
  spirals: (p) => `spirals({ nSamples: ${p.samples}, noise: ${p.noise}, generator: ${p.seed} })`,
  xor: (p) => `xor({ nSamples: ${p.samples}, noise: ${p.noise}, generator: ${p.seed} })`,
  blobs: (p) =>
    `blobs({ nSamples: ${p.samples}, centers: ${p.blobs}, clusterStd: ${p.noise}, generator: ${p.seed} })`,
}

// The same formulas and the same order of draws as @tensorloom/data's moons, circles, blobs,
// spirals and xor, from PyTorch's generator (float64 uniforms, randperm).
const PYTHON_POINTS = `def toy_points(problem, n_samples, noise, blobs, seed):
    """A 2-D toy problem: scikit-learn's moons, circles and blobs, TensorFlow Playground's spirals and xor."""
    g = torch.Generator().manual_seed(seed)

    def uniform(lo=0.0, hi=1.0):
        return lo + (hi - lo) * torch.rand(1, dtype=torch.float64, generator=g).item()

    def normal():
        u1, u2 = uniform(), uniform()
        return math.sqrt(-2 * math.log(1 - u1)) * math.cos(2 * math.pi * u2)

    def shuffled(points, labels, spread):
        order = torch.randperm(len(labels), generator=g).tolist()
        points = [list(points[i]) for i in order]
        labels = [labels[i] for i in order]
        if spread:
            for p in points:
                p[0] += spread * normal()
                p[1] += spread * normal()
        return points, labels

    n_out = n_samples // 2
    n_in = n_samples - n_out
    if problem == 'moons':
        t_out = [math.pi * i / max(n_out - 1, 1) for i in range(n_out)]
        t_in = [math.pi * i / max(n_in - 1, 1) for i in range(n_in)]
        points = [(math.cos(t), math.sin(t)) for t in t_out] + [(1 - math.cos(t), 1 - math.sin(t) - 0.5) for t in t_in]
        points, labels = shuffled(points, [0] * n_out + [1] * n_in, noise)
    elif problem == 'circles':
        t_out = [2 * math.pi * i / n_out for i in range(n_out)]
        t_in = [2 * math.pi * i / n_in for i in range(n_in)]
        points = [(math.cos(t), math.sin(t)) for t in t_out] + [(0.8 * math.cos(t), 0.8 * math.sin(t)) for t in t_in]
        points, labels = shuffled(points, [0] * n_out + [1] * n_in, noise)
    elif problem == 'blobs':
        centers = [(uniform(-10, 10), uniform(-10, 10)) for _ in range(blobs)]
        points, labels = [], []
        for b, (cx, cy) in enumerate(centers):
            for _ in range(n_samples // blobs + (1 if b < n_samples % blobs else 0)):
                points.append((cx + noise * normal(), cy + noise * normal()))
                labels.append(b)
        points, labels = shuffled(points, labels, 0)
    elif problem == 'spirals':
        points, labels = [], []
        for s, count in ((0, n_out), (1, n_in)):
            for i in range(count):
                r = i / count * 5
                t = 1.75 * i / count * 2 * math.pi + s * math.pi
                x = r * math.sin(t) + uniform(-1, 1) * noise
                y = r * math.cos(t) + uniform(-1, 1) * noise
                points.append((x, y))
                labels.append(s)
    else:  # xor
        points, labels = [], []
        for _ in range(n_samples):
            x = uniform(-5, 5)
            x += 0.3 if x > 0 else -0.3
            y = uniform(-5, 5)
            y += 0.3 if y > 0 else -0.3
            nx, ny = uniform(-5, 5) * noise, uniform(-5, 5) * noise
            points.append((x, y))
            labels.append(1 if (x + nx) * (y + ny) >= 0 else 0)
    return TensorDataset(torch.tensor(points, dtype=torch.float32), torch.tensor(labels))`

/** Seeded 2-D toy problems, like scikit-learn's generators and TensorFlow Playground's. */
export const Toy2D = defineDataset<'Toy2D', Toy2DParams>({
  type: 'Toy2D',
  kind: 'dataset',
  category: 'data',
  description:
    'Points in 2-D to classify: moons, circles, spirals, xor or blobs, seeded, with noise.',
  params: {
    problem: {
      label: 'problem',
      kind: 'enum',
      options: ['moons', 'circles', 'spirals', 'xor', 'blobs'],
      help: 'Which problem: two moons, two circles, two spirals, the xor quadrants, or blobs.',
    },
    samples: int('n_samples', 10, 100_000, 'Number of points.'),
    noise: float('noise', 0, 5, 'How far points stray (for blobs: the std of each blob).'),
    blobs: int('centers', 2, 10, 'Number of blobs (classes), for blobs only.'),
    seed: int('seed', 0, 2 ** 32 - 1, 'Seed of the points, so they repeat exactly.'),
  },
  defaults: { problem: 'moons', samples: 1000, noise: 0.1, blobs: 3, seed: 0 },
  info: (p) => ({
    shape: [2],
    stage: 'tensor',
    task: 'classification',
    classes: p.problem === 'blobs' ? p.blobs : 2,
    stats: null,
    split: 'none',
  }),
  summary: (p) => `${p.problem} · ${p.samples} points · noise ${p.noise}`,
  pytorch: {
    load: (p) =>
      `toy_points('${p.problem}', n_samples=${p.samples}, noise=${pythonNumber(p.noise)}, blobs=${p.blobs}, seed=${p.seed})`,
    imports: () => ['import math', 'from torch.utils.data import TensorDataset'],
    definitions: () => PYTHON_POINTS,
    defaultRoot: () => './data',
  },
  typescript: {
    load: (p) => TS_CALL[p.problem](p),
    imports: (p) => [p.problem],
    defaultRoot: () => './data',
  },
})
