import { makeIssue } from '../errors.js'
import { pyCall, tsNew } from '../python.js'
import { defineLoss, type Finding } from './block.js'
import { classIndexLoss } from './lossRules.js'
import { reduction } from './params.js'
import { insertBefore } from './rules.js'

/** `nn.NLLLoss(reduction='mean')` */
export interface NLLLossParams {
  reduction: 'mean' | 'sum' | 'none'
}

/** `nn.NLLLoss`: negative log-likelihood of log-probabilities. */
export const NLLLoss = defineLoss<'NLLLoss', NLLLossParams>({
  type: 'NLLLoss',
  kind: 'loss',
  category: 'losses',
  description: 'Negative log-likelihood of log-probabilities (after LogSoftmax).',
  params: { reduction },
  defaults: { reduction: 'mean' },
  target: 'classIndex',
  infer(input, params, ctx) {
    const warnings: Finding[] = []
    const up = ctx.upstream
    if (up?.type === 'Softmax') {
      warnings.push({
        ...makeIssue(
          'SOFTMAX_BEFORE_NLL',
          {},
          {
            kind: 'replaceNode',
            type: 'LogSoftmax',
            params: { dim: up.params.dim },
            label: 'Replace with LogSoftmax',
          },
        ),
        nodeId: up.id,
      })
    } else if (up?.type !== 'LogSoftmax') {
      warnings.push(
        makeIssue('NLL_WITHOUT_LOG_SOFTMAX', {}, insertBefore('LogSoftmax', { dim: 1 })),
      )
    }
    return classIndexLoss(input, params.reduction, ctx, warnings)
  },
  summary: (p) => `reduction ${p.reduction}`,
  pytorch: (p) => pyCall('nn.NLLLoss', [], [['reduction', p.reduction, 'mean']]),
  typescript: (p) => tsNew('NLLLoss', [], [['reduction', p.reduction, 'mean']]),
})
