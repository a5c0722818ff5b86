/** A node of a graph walk: indices of the nodes feeding it and of those it feeds. */
export interface Linked {
  ins: readonly number[]
  outs: readonly number[]
}

/**
 * Kahn's topological order of `nodes` (indices); the nodes left out sit on or behind a cycle.
 * Iterative, so deep graphs cannot overflow the stack.
 */
export function topologicalOrder(nodes: readonly Linked[]): number[] {
  const indegree = nodes.map((node) => node.ins.length)
  const queue: number[] = []
  for (let i = 0; i < nodes.length; i++) if (indegree[i] === 0) queue.push(i)
  for (let head = 0; head < queue.length; head++) {
    for (const next of nodes[queue[head]!]!.outs) {
      if (--indegree[next]! === 0) queue.push(next)
    }
  }
  return queue
}

/**
 * The cycles among the nodes a topological `order` left out: each strongly connected component
 * with a loop, as its members (sorted) and one loop through them from the smallest member
 * (`[a, b, c, a]`). Iterative Tarjan.
 */
export function findCycles(
  nodes: readonly Linked[],
  order: readonly number[],
): Array<{ members: number[]; path: number[] }> {
  const left = new Set(nodes.map((_, i) => i))
  for (const i of order) left.delete(i)
  const found: Array<{ members: number[]; path: number[] }> = []
  const indexOf = new Map<number, number>()
  const low = new Map<number, number>()
  const onStack = new Set<number>()
  const stack: number[] = []
  let counter = 0
  for (const root of left) {
    if (indexOf.has(root)) continue
    const work: { v: number; i: number }[] = [{ v: root, i: 0 }]
    indexOf.set(root, counter)
    low.set(root, counter++)
    stack.push(root)
    onStack.add(root)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const outs = nodes[frame.v]!.outs
      if (frame.i < outs.length) {
        const w = outs[frame.i++]!
        if (!left.has(w)) continue
        if (!indexOf.has(w)) {
          indexOf.set(w, counter)
          low.set(w, counter++)
          stack.push(w)
          onStack.add(w)
          work.push({ v: w, i: 0 })
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v)!, indexOf.get(w)!))
        }
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(frame.v)!))
      if (low.get(frame.v) === indexOf.get(frame.v)) {
        const component: number[] = []
        let w: number
        do {
          w = stack.pop()!
          onStack.delete(w)
          component.push(w)
        } while (w !== frame.v)
        const selfLoop = component.length === 1 && nodes[w]!.outs.includes(w)
        if (component.length > 1 || selfLoop) {
          const members = new Set(component)
          found.push({
            members: component.sort((a, b) => a - b),
            path: cyclePath(nodes, component[0]!, members),
          })
        }
      }
    }
  }
  return found
}

/** Follows connections inside a component from `start` until it returns, naming the loop. */
function cyclePath(
  nodes: readonly Linked[],
  start: number,
  members: ReadonlySet<number>,
): number[] {
  const seen = new Map<number, number>()
  const path: number[] = []
  let v = start
  while (!seen.has(v)) {
    seen.set(v, path.length)
    path.push(v)
    v = nodes[v]!.outs.find((w) => members.has(w))!
  }
  return [...path.slice(seen.get(v)), v]
}
