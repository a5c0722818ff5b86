import type { Ports } from './block.js'

/** How the edges into a merge block map onto its ports. */
export interface PortAssignment<S> {
  /** The connected ports in order (named order, or by number), each with its (first) source. */
  assigned: { port: string; source: S }[]
  /** Ports named by an edge that the block does not have. */
  unknown: string[]
  /** Ports with more than one edge, with all their sources. */
  taken: { port: string; sources: S[] }[]
  /** Edges that name no port and found no free one. */
  overflow: S[]
  /** Ports that still need an input (named ports without an edge, or list places up to `min`). */
  missing: string[]
}

const isPortNumber = (port: string) => /^(0|[1-9]\d{0,3})$/.test(port)

/**
 * Maps the edges into a merge block (in document order) onto its ports: an edge takes the port it
 * names, or, naming none, the first free one; ports are then ordered as the block orders them
 * (`a`, `b`; or `0`, `1`, `2`, … by number).
 */
export function assignPorts<S>(
  ports: Ports,
  edges: readonly { port: string | undefined; source: S }[],
): PortAssignment<S> {
  const bySlot = new Map<string, S[]>()
  const unnamed: S[] = []
  const unknown: string[] = []
  for (const { port, source } of edges) {
    if (port === undefined) {
      unnamed.push(source)
      continue
    }
    const known = ports.kind === 'named' ? ports.names.includes(port) : isPortNumber(port)
    if (!known) {
      unknown.push(port)
      continue
    }
    const list = bySlot.get(port)
    if (list) list.push(source)
    else bySlot.set(port, [source])
  }
  const overflow: S[] = []
  for (const source of unnamed) {
    let port: string | undefined
    if (ports.kind === 'named') port = ports.names.find((n) => !bySlot.has(n))
    else {
      let n = 0
      while (bySlot.has(String(n))) n++
      port = String(n)
    }
    if (port === undefined) overflow.push(source)
    else bySlot.set(port, [source])
  }
  const order =
    ports.kind === 'named'
      ? ports.names.filter((n) => bySlot.has(n))
      : [...bySlot.keys()].sort((a, b) => Number(a) - Number(b))
  const missing =
    ports.kind === 'named'
      ? ports.names.filter((n) => !bySlot.has(n))
      : Array.from({ length: Math.max(0, ports.min - bySlot.size) }, (_, i) => String(i))
  return {
    assigned: order.map((port) => ({ port, source: bySlot.get(port)![0]! })),
    unknown,
    taken: [...bySlot]
      .filter(([, s]) => s.length > 1)
      .map(([port, sources]) => ({ port, sources })),
    overflow,
    missing,
  }
}
