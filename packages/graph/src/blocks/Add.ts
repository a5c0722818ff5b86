import { makeIssue } from '../errors.js'
import { defineMerge, type MergeBlock } from './block.js'
import { broadcastMismatch, broadcastShape, projectionFix } from './mergeRules.js'
import { fail, ok } from './rules.js'

/**
 * An element-wise merge of two inputs `a` and `b` with PyTorch's broadcasting: `a + b` (`Add`),
 * `a * b` (`Mul`).
 */
export function elementwiseMerge<T extends string>(
  type: T,
  description: string,
  operator: string,
  tfjs: string,
): MergeBlock<T, Record<string, never>> {
  return defineMerge<T, Record<string, never>>({
    type,
    kind: 'merge',
    category: 'merges',
    description,
    params: {},
    defaults: {},
    ports: { kind: 'named', names: ['a', 'b'] },
    shape(inputs, _params, ports) {
      const [a, b] = inputs as [readonly number[], readonly number[]]
      const bad = broadcastMismatch(a, b)
      if (bad) return fail(makeIssue('BROADCAST_SIZE_MISMATCH', bad, projectionFix(inputs, ports)))
      return ok(broadcastShape(a, b))
    },
    summary: () => `a ${operator} b`,
    pytorch: (_p, [a, b]) => `${a} ${operator} ${b}`,
    typescript: (_p, [a, b]) => `tf.${tfjs}(${a}, ${b})`,
  })
}

/** `a + b`: the skip connection of a residual block. */
export const Add = elementwiseMerge(
  'Add',
  'Adds its two inputs element by element (a skip connection: x + identity).',
  '+',
  'add',
)

/** `a * b`: gates one input by another. */
export const Mul = elementwiseMerge(
  'Mul',
  'Multiplies its two inputs element by element (a gate: x * sigmoid(g)).',
  '*',
  'mul',
)
