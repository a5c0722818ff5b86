import type { GraphDocument, GraphNode } from '@tensorloom/graph'
import { nodeSpecs } from '@tensorloom/graph'

const SETTING_LABELS: Record<string, string> = {
  optimizer: 'optimizer',
  lr: 'learning rate',
  momentum: 'momentum',
  epochs: 'epochs',
  seed: 'seed',
}

function describe(node: GraphNode): string {
  return `${node.type} (${node.id})`
}

function paramLabel(node: GraphNode, name: string): string {
  return nodeSpecs[node.type]?.params.find((p) => p.name === name)?.label ?? name
}

function show(value: unknown): string {
  if (Array.isArray(value)) return `(${value.join(', ')})`
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  return String(value)
}

function edgeKey(e: GraphDocument['edges'][number]): string {
  return `${e.source}>${e.target}${e.targetPort ? `.${e.targetPort}` : ''}`
}

/**
 * What changed from `from` to `to` that matters to a trained model, in words, most telling first:
 * blocks removed and added, parameters, wires, training settings, the name. Moving blocks around
 * changes nothing. Empty when the two describe the same network.
 */
export function graphChanges(from: GraphDocument, to: GraphDocument): string[] {
  const changes: string[] = []
  const before = new Map(from.nodes.map((n) => [n.id, n]))
  const after = new Map(to.nodes.map((n) => [n.id, n]))
  // Mostly other blocks (another template, another file): one line says it better than a list.
  const kept = from.nodes.filter((n) => after.get(n.id)?.type === n.type).length
  if (kept < Math.max(from.nodes.length, to.nodes.length) / 2) {
    return [`a different network is on the canvas (“${to.name}”)`]
  }
  for (const node of from.nodes) {
    const now = after.get(node.id)
    if (!now) changes.push(`${describe(node)} removed`)
    else if (now.type !== node.type) changes.push(`${describe(node)} replaced by ${now.type}`)
  }
  for (const node of to.nodes) {
    if (!before.has(node.id)) changes.push(`${describe(node)} added`)
  }
  for (const node of to.nodes) {
    const old = before.get(node.id)
    if (!old || old.type !== node.type) continue
    const names = new Set([...Object.keys(old.params), ...Object.keys(node.params)])
    for (const name of names) {
      if (JSON.stringify(old.params[name]) !== JSON.stringify(node.params[name])) {
        changes.push(
          `${node.type} (${node.id}) ${paramLabel(node, name)} ${show(old.params[name])} → ${show(node.params[name])}`,
        )
      }
    }
  }
  const oldEdges = new Set(from.edges.map(edgeKey))
  const newEdges = new Set(to.edges.map(edgeKey))
  const rewired = oldEdges.size !== newEdges.size || [...oldEdges].some((key) => !newEdges.has(key))
  // Wires that only follow removed or added blocks are said by those already.
  const explained = (key: string) => {
    const [source = '', rest = ''] = key.split('>')
    const target = rest.split('.')[0] ?? ''
    return !before.has(source) || !before.has(target) || !after.has(source) || !after.has(target)
  }
  if (
    rewired &&
    ([...oldEdges].some((k) => !newEdges.has(k) && !explained(k)) ||
      [...newEdges].some((k) => !oldEdges.has(k) && !explained(k)))
  ) {
    changes.push('wires changed')
  }
  for (const [key, label] of Object.entries(SETTING_LABELS)) {
    const a = (from.training as unknown as Record<string, unknown>)[key]
    const b = (to.training as unknown as Record<string, unknown>)[key]
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push(`${label} ${show(a)} → ${show(b)}`)
  }
  if (from.name !== to.name) changes.push(`renamed “${from.name}” → “${to.name}”`)
  return changes
}

/** The changes as one short phrase: the first few, and how many more. */
export function summarizeChanges(changes: readonly string[], limit = 3): string {
  if (changes.length <= limit) return changes.join('; ')
  return `${changes.slice(0, limit).join('; ')}; and ${changes.length - limit} more`
}
