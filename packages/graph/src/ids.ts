/**
 * A source of fresh ids `${prefix}${n}`: `n` counts on from the largest number already used after
 * `prefix` (`n10` after `n2` and `n9`), and an id in `used` (or one already returned) is never
 * returned. Every edit of the graph package (`addNode`, `connect`, `paste`, `applyFix`…) takes its
 * ids from here, so they cannot collide.
 */
export function idGenerator(prefix: string, used: Iterable<string>): () => string {
  const taken = new Set(used)
  // BigInt: a document's `n99999999999999999999` must not make the count stall at 2^53.
  let n = 0n
  for (const id of taken) {
    if (!id.startsWith(prefix)) continue
    const digits = id.slice(prefix.length)
    if (!/^\d+$/.test(digits)) continue
    const k = BigInt(digits)
    if (k > n) n = k
  }
  return () => {
    let id: string
    do id = `${prefix}${++n}`
    while (taken.has(id))
    taken.add(id)
    return id
  }
}

/** One fresh id with `prefix` that is not in `used` (`nextId('e', ['e1', 'e7'])` is `e8`). */
export function nextId(prefix: string, used: Iterable<string>): string {
  return idGenerator(prefix, used)()
}
