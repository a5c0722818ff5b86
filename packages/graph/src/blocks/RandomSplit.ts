import { makeIssue } from '../errors.js'
import { pythonNumber } from '../python.js'
import { definePipeline } from './block.js'
import { float, int } from './params.js'
import { REMOVE } from './rules.js'

/** `random_split(dataset, [train, 1 - train], generator=torch.Generator().manual_seed(seed))` */
export interface RandomSplitParams {
  train: number
  seed: number
}

/** `torch.utils.data.random_split`: holds some samples out to test on. */
export const RandomSplit = definePipeline<'RandomSplit', RandomSplitParams>({
  type: 'RandomSplit',
  kind: 'split',
  category: 'data',
  description: 'Splits a dataset at random into training and test samples (seeded, like PyTorch).',
  params: {
    train: float('lengths[0]', 0.05, 0.95, 'Fraction of the samples to train on; the rest test.'),
    seed: int('seed', 0, 2 ** 32 - 1, 'Seed of the generator that shuffles before splitting.'),
  },
  defaults: { train: 0.8, seed: 42 },
  infer(input, _params, ctx) {
    const up = ctx.upstream
    if (up && up.type !== null && up.id !== ctx.dataset()?.id) {
      return { output: null, errors: [makeIssue('RANDOM_SPLIT_PLACE', { after: up.type }, REMOVE)] }
    }
    return { output: { ...input, heldOut: true } }
  },
  summary: (p) => `${Math.round(p.train * 100)}% train · ${Math.round((1 - p.train) * 100)}% test`,
  pytorch: (p) =>
    `[${pythonNumber(p.train)}, ${pythonNumber(Math.round((1 - p.train) * 1e6) / 1e6)}], generator=torch.Generator().manual_seed(${p.seed})`,
  typescript: (p) => `[${p.train}, ${Math.round((1 - p.train) * 1e6) / 1e6}], ${p.seed}`,
})
