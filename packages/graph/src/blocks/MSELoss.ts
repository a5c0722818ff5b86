import { makeIssue } from '../errors.js'
import { pyCall, tsNew } from '../python.js'
import { defineLoss } from './block.js'
import { broadcastMismatch, lossOutput, outputPerClass } from './lossRules.js'
import { reduction } from './params.js'

/** `nn.MSELoss(reduction='mean')`, compared with one-hot encoded class labels. */
export interface MSELossParams {
  reduction: 'mean' | 'sum' | 'none'
}

/** `nn.MSELoss` against one-hot labels. */
export const MSELoss = defineLoss<'MSELoss', MSELossParams>({
  type: 'MSELoss',
  kind: 'loss',
  category: 'losses',
  description: 'Mean squared error against one-hot encoded labels.',
  params: { reduction },
  defaults: { reduction: 'mean' },
  target: 'oneHot',
  infer(input, params, ctx) {
    const { shape, batch, classes } = input
    const bad = broadcastMismatch(shape, [batch, classes])
    if (bad) {
      const fix = shape.length === 2 ? outputPerClass(ctx, classes) : undefined
      return { output: null, errors: [makeIssue('MSE_SIZE_MISMATCH', bad, fix)] }
    }
    return { output: lossOutput(input, params.reduction) }
  },
  summary: (p) => `reduction ${p.reduction}`,
  pytorch: (p) => pyCall('nn.MSELoss', [], [['reduction', p.reduction, 'mean']]),
  typescript: (p) => tsNew('MSELoss', [], [['reduction', p.reduction, 'mean']]),
})
