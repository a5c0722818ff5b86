import { makeIssue } from '../errors.js'
import { definePipeline } from './block.js'
import { REMOVE } from './rules.js'

/** `transforms.ToTensor()` */
export const ToTensor = definePipeline<'ToTensor', Record<string, never>>({
  type: 'ToTensor',
  kind: 'transform',
  category: 'data',
  description: 'Turns each image into a (1, 28, 28) float tensor with pixels scaled to 0–1.',
  params: {},
  defaults: {},
  infer(input) {
    if (input.stage === 'tensor') {
      return { output: null, errors: [makeIssue('TO_TENSOR_ON_TENSOR', {}, REMOVE)] }
    }
    return { output: { ...input, stage: 'tensor' } }
  },
  summary: () => 'uint8 0–255 → float 0–1',
  pytorch: () => 'transforms.ToTensor()',
  typescript: () => 'new ToTensor()',
})
