import type { Fix } from '../issue.js'

/** PyTorch broadcasting: the first dimension (from the right) that cannot broadcast, or null. */
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

/** PyTorch's broadcast shape of `a` and `b` (they must broadcast). */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length)
  const out: number[] = []
  for (let i = rank; i >= 1; i--) {
    const x = a[a.length - i] ?? 1
    const y = b[b.length - i] ?? 1
    out.push(x === 1 ? y : x)
  }
  return out
}

/** The fix that inserts a `type` node on the input `port` of the merge. */
export const insertOnPort = (
  port: string,
  type: string,
  params: Record<string, unknown>,
  what: string,
): Fix => ({ kind: 'insertBefore', port, type, params, label: `Insert ${what} on input ${port}` })

/**
 * The projection that makes two inputs of a merge the same width, where one exists: a
 * `Linear(narrow, wide)` for `(N, C)` inputs, a 1×1 `Conv2d(narrow, wide)` for `(N, C, H, W)`
 * inputs of the same height and width, or a `Flatten` on a 4-D input joined with a 2-D one.
 */
export function projectionFix(
  shapes: readonly (readonly number[])[],
  ports: readonly string[],
): Fix | undefined {
  const [a, b] = shapes
  const [pa, pb] = ports
  if (!a || !b || pa === undefined || pb === undefined) return undefined
  if (a.length !== b.length) {
    const [deep, port] = a.length > b.length ? [a, pa] : [b, pb]
    return deep.length >= 3 && Math.min(a.length, b.length) === 2
      ? insertOnPort(port, 'Flatten', { startDim: 1, endDim: -1 }, 'Flatten')
      : undefined
  }
  if (a.length !== 2 && a.length !== 4) return undefined
  const others = (s: readonly number[]) => s.filter((_, i) => i !== 1).join(',')
  if (others(a) !== others(b) || a[1] === b[1]) return undefined
  const [narrow, wide, port] = a[1]! < b[1]! ? [a[1]!, b[1]!, pa] : [b[1]!, a[1]!, pb]
  return a.length === 2
    ? insertOnPort(
        port,
        'Linear',
        { inFeatures: narrow, outFeatures: wide, bias: true },
        `Linear(${narrow}, ${wide})`,
      )
    : insertOnPort(
        port,
        'Conv2d',
        { inChannels: narrow, outChannels: wide, kernelSize: 1, stride: 1, padding: 0, bias: true },
        `Conv2d(${narrow}, ${wide}, kernel_size=1)`,
      )
}
