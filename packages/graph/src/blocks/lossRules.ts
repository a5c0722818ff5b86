import { makeIssue } from '../errors.js'
import type { Fix } from '../issue.js'
import type { Finding, Flow, InferContext, StepResult } from './block.js'
import { setParam } from './rules.js'

/** The fix that gives the last Linear one output per class, when there is one. */
export const outputPerClass = (ctx: InferContext, classes: number): Fix | undefined => {
  const linear = ctx.lastLinear()
  return linear
    ? setParam(
        'outFeatures',
        classes,
        `Set out_features = ${classes} on the last Linear`,
        linear.id,
      )
    : undefined
}

/** The loss's output: a scalar, or one value per sample with `reduction='none'`. */
export const lossOutput = (input: Flow, reduction: string): Flow => ({
  ...input,
  shape: reduction === 'none' ? [input.shape[0]!] : [],
})

/**
 * The checks of a loss over class-index targets of shape `[N]` (`CrossEntropyLoss`, `NLLLoss`):
 * PyTorch's errors for outputs that are not `(N, C)` and for fewer outputs than classes.
 */
export function classIndexLoss(
  input: Flow,
  reduction: string,
  ctx: InferContext,
  warnings: Finding[],
): StepResult {
  const { shape, batch, classes } = input
  const target = [batch]
  const error = (e: Finding): StepResult => ({ output: null, errors: [e], warnings })
  if (input.task === 'regression') {
    const type = ctx.self
    const fix = {
      kind: 'replaceNode',
      type: 'MSELoss',
      params: { reduction },
      label: 'Replace with MSELoss',
    } as const
    return error(makeIssue('LOSS_NEEDS_CLASSES', { type, dataset: input.dataset }, fix))
  }
  if (shape.length === 1) return error(makeIssue('LOSS_SIZE_MISMATCH', { input: shape, target }))
  if (shape.length === 4) return error(makeIssue('CROSS_ENTROPY_SPATIAL_TARGET', { rank: 1 }))
  if (shape.length !== 2) {
    return error(
      makeIssue('LOSS_TARGET_SIZE', { expected: [shape[0]!, ...shape.slice(2)], actual: target }),
    )
  }
  if (shape[1]! < classes) {
    const values = { target: classes - 1, outputs: shape[1]! }
    return error(makeIssue('CLASS_COUNT_MISMATCH', values, outputPerClass(ctx, classes)))
  }
  return { output: lossOutput(input, reduction), warnings }
}

/** PyTorch broadcasting: the first dimension (from the left of the result) that cannot broadcast. */
export function broadcastMismatch(
  a: readonly number[],
  b: readonly number[],
): { a: number; b: number; dim: number } | null {
  const rank = Math.max(a.length, b.length)
  for (let i = 1; i <= rank; i++) {
    const x = a[a.length - i] ?? 1
    const y = b[b.length - i] ?? 1
    if (x !== y && x !== 1 && y !== 1) return { a: x, b: y, dim: rank - i }
  }
  return null
}
