import { expectedValue, isValidValue } from './specs.js'
import type { ParamSpec, TrainingSettings } from './types.js'

/** Training settings of a new document: the lesson's Adam with lr 1e-3, one epoch, seed 42. */
export const defaultTraining: Readonly<TrainingSettings> = Object.freeze({
  optimizer: 'Adam',
  lr: 0.001,
  momentum: 0.9,
  epochs: 1,
  seed: 42,
})

/** Specs of the training settings, for the training panel and validation. */
export const trainingSpecs: readonly ParamSpec[] = [
  {
    name: 'optimizer',
    label: 'optimizer',
    kind: 'enum',
    options: ['SGD', 'Adam', 'AdamW'],
    help: 'Adam is a good default; SGD with momentum 0.9 also works well on MNIST.',
  },
  {
    name: 'lr',
    label: 'lr',
    kind: 'float',
    min: 0,
    minExclusive: true,
    max: 10,
    help: 'Learning rate: 0.001 for Adam, 0.01 for SGD.',
  },
  {
    name: 'momentum',
    label: 'momentum',
    kind: 'float',
    min: 0,
    max: 1,
    help: 'SGD only: how much of the previous step to keep (0.9 is common).',
  },
  {
    name: 'epochs',
    label: 'epochs',
    kind: 'int',
    min: 1,
    max: 1000,
    help: 'Passes over the 60,000 training images.',
  },
  {
    name: 'seed',
    label: 'seed',
    kind: 'int',
    min: 0,
    max: 2 ** 32 - 1,
    help: 'Seeds weight initialization and shuffling, so runs repeat exactly.',
  },
]

/**
 * Checks one training setting: null when valid, else a message such as
 * `lr must be a number greater than 0 and at most 10, but got 0`.
 */
export function validateTrainingSetting(name: string, value: unknown): string | null {
  const spec = trainingSpecs.find((s) => s.name === name)
  if (!spec) return `Unknown training setting "${name}"`
  if (isValidValue(spec, value)) return null
  return `${spec.label} must be ${expectedValue(spec)}, but got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`
}
