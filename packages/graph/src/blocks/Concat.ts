import { makeIssue } from '../errors.js'
import { defineMerge } from './block.js'
import { insertOnPort } from './mergeRules.js'
import { dim } from './params.js'
import { dimError, fail, normalizeDim, ok, setParam } from './rules.js'

/** `torch.cat(tensors, dim)` */
export interface ConcatParams {
  dim: number
}

/** `torch.cat([a, b, …], dim)`: joins its inputs along `dim`. */
export const Concat = defineMerge<'Concat', ConcatParams>({
  type: 'Concat',
  kind: 'merge',
  category: 'merges',
  description: 'Joins its inputs along dim (features: dim=1), like torch.cat([a, b], dim=1).',
  params: { dim: dim('Dimension to join along: 1 for the features or channels of (N, C, …).') },
  defaults: { dim: 1 },
  ports: { kind: 'list', min: 2 },
  shape(inputs, { dim }, ports) {
    const first = inputs[0]!
    const rank = first.length
    for (let i = 1; i < inputs.length; i++) {
      const other = inputs[i]!
      if (other.length === rank) continue
      const deep = rank > other.length ? 0 : i
      const flatten =
        Math.min(rank, other.length) === 2 && inputs[deep]!.length >= 3 && ports[deep] !== undefined
          ? insertOnPort(ports[deep], 'Flatten', { startDim: 1, endDim: -1 }, 'Flatten')
          : undefined
      return fail(makeIssue('CONCAT_RANK_MISMATCH', { first: rank, other: other.length }, flatten))
    }
    const d = normalizeDim(dim, rank)
    if (d === null) return dimError(dim, rank, 'dim', 'dim', 1)
    const out = [...first]
    for (let i = 1; i < inputs.length; i++) {
      const other = inputs[i]!
      for (let j = 0; j < rank; j++) {
        if (j === d || other[j] === first[j]) continue
        const differing = first.map((_, k) => k).filter((k) => other[k] !== first[k])
        const fix =
          differing.length === 1
            ? setParam('dim', differing[0], `Set dim = ${differing[0]}`)
            : undefined
        const values = { dim: d, expected: first[j]!, actual: other[j]!, index: i }
        return fail(makeIssue('CONCAT_SIZE_MISMATCH', values, fix))
      }
      out[d]! += other[d]!
    }
    return ok(out)
  },
  inspect(inputs, { dim }) {
    const rank = inputs[0]?.length ?? 0
    if (rank < 2 || normalizeDim(dim, rank) !== 0) return {}
    return {
      warnings: [makeIssue('CONCAT_OVER_BATCH', { dim }, setParam('dim', 1, 'Set dim = 1'))],
    }
  },
  summary: (p) => `dim ${p.dim}`,
  pytorch: (p, args) => `torch.cat([${args.join(', ')}], dim=${p.dim})`,
  typescript: (p, args) => `tf.concat([${args.join(', ')}], ${p.dim})`,
})
