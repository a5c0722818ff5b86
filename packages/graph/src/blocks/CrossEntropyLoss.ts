import { makeIssue } from '../errors.js'
import { pyCall, tsNew } from '../python.js'
import { defineLoss, type Finding } from './block.js'
import { classIndexLoss } from './lossRules.js'
import { float, reduction } from './params.js'

/** `nn.CrossEntropyLoss(label_smoothing=0.0, reduction='mean')` */
export interface CrossEntropyLossParams {
  labelSmoothing: number
  reduction: 'mean' | 'sum' | 'none'
}

/** `nn.CrossEntropyLoss`: classification loss on logits. */
export const CrossEntropyLoss = defineLoss<'CrossEntropyLoss', CrossEntropyLossParams>({
  type: 'CrossEntropyLoss',
  kind: 'loss',
  category: 'losses',
  description: 'Classification loss on raw scores (logits); applies log_softmax itself.',
  params: {
    labelSmoothing: float(
      'label_smoothing',
      0,
      1,
      'Amount of smoothing of the target, 0.0 (none) to 1.0.',
    ),
    reduction,
  },
  defaults: { labelSmoothing: 0, reduction: 'mean' },
  target: 'classIndex',
  infer(input, params, ctx) {
    const warnings: Finding[] = []
    const up = ctx.upstream
    if (up && (up.type === 'Softmax' || up.type === 'LogSoftmax')) {
      warnings.push({
        ...makeIssue(
          'SOFTMAX_BEFORE_CROSS_ENTROPY',
          { type: up.type },
          { kind: 'removeNode', label: `Remove the ${up.type}` },
        ),
        nodeId: up.id,
      })
    }
    return classIndexLoss(input, params.reduction, ctx, warnings)
  },
  summary: (p) =>
    `reduction ${p.reduction}${p.labelSmoothing > 0 ? ` · smoothing ${p.labelSmoothing}` : ''}`,
  pytorch: (p) =>
    pyCall(
      'nn.CrossEntropyLoss',
      [],
      [
        ['label_smoothing', p.labelSmoothing, 0],
        ['reduction', p.reduction, 'mean'],
      ],
    ),
  typescript: (p) =>
    tsNew(
      'CrossEntropyLoss',
      [],
      [
        ['labelSmoothing', p.labelSmoothing, 0],
        ['reduction', p.reduction, 'mean'],
      ],
    ),
})
