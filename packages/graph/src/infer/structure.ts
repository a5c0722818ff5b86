import type { Block } from '../blocks/block.js'
import { blocks } from '../blocks/index.js'
import { assignPorts } from '../blocks/ports.js'
import { REMOVE } from '../blocks/rules.js'
import type { Info } from './Info.js'
import type { Report } from './Report.js'

/** Gives each edge into a merge block its port; reports taken, unknown and missing ports. */
function resolvePorts(info: Info, infos: readonly Info[], report: Report): void {
  const block = blocks[info.type!] as Block
  if (block.kind !== 'merge') return
  const id = info.node.id
  const type = info.type!
  const edges = info.ins.map((source, k) => ({ port: info.inPorts[k], source }))
  const result = assignPorts(block.ports, edges)
  const names = block.ports.kind === 'named' ? block.ports.names : []
  for (const port of result.unknown) report.error(id, 'UNKNOWN_PORT', { type, port, ports: names })
  if (result.overflow.length > 0) {
    const sources = info.ins.map((i) => infos[i]!.node.id)
    report.error(id, 'MULTIPLE_INPUTS', { type, sources })
  }
  for (const { port, sources } of result.taken) {
    report.error(id, 'PORT_TAKEN', { type, port, sources: sources.map((i) => infos[i]!.node.id) })
  }
  // Shapes flow through a merge only once every port it needs is connected.
  info.ports = result.missing.length > 0 ? [] : result.assigned
  if (info.ins.length > 0 && result.missing.length > 0) {
    report.error(id, 'MERGE_MISSING_INPUT', {
      type,
      missing: result.missing,
      ports: names,
      ...(block.ports.kind === 'list' ? { min: block.ports.min } : {}),
    })
  }
}

/**
 * The checks of the graph's shape: one dataset, one loss, one input per input port (merge blocks
 * have several), a data pipeline that is one chain up to the DataLoader, nothing disconnected.
 * Returns whether the graph has a loss.
 */
export function checkStructure(infos: readonly Info[], report: Report): boolean {
  const datasets: Info[] = []
  let lossCount = 0
  for (const info of infos) {
    const { node, type } = info
    if (!type) continue
    const kind = blocks[type].kind
    if (kind === 'dataset') {
      datasets.push(info)
      if (info.ins.length > 0) report.error(node.id, 'DATASET_HAS_INPUT', { type })
    } else if (kind === 'merge') {
      resolvePorts(info, infos, report)
    } else if (info.ins.length > 1) {
      const sources = info.ins.map((i) => infos[i]!.node.id)
      report.error(node.id, 'MULTIPLE_INPUTS', { type, sources })
    }
    if (kind === 'loss') {
      lossCount++
      if (info.outs.length > 0) report.error(node.id, 'LOSS_NOT_LAST', { type })
    } else if (
      (kind === 'dataset' || kind === 'split' || kind === 'transform') &&
      info.outs.length > 1
    ) {
      const targets = info.outs.map((i) => infos[i]!.node.id)
      report.error(node.id, 'MULTIPLE_OUTPUTS', { type, targets })
    }
    if (info.ins.length === 0 && info.outs.length === 0 && infos.length > 1) {
      report.error(node.id, 'DISCONNECTED_NODE', { type, id: node.id }, REMOVE)
    } else if (info.ins.length === 0 && kind !== 'dataset') {
      report.error(node.id, 'NO_INPUT', { type })
    }
  }
  if (datasets.length === 0) report.error('', 'NO_DATA_SOURCE', {})
  if (datasets.length > 1) {
    const ids = datasets.map((d) => d.node.id)
    for (const extra of datasets.slice(1)) {
      report.error(extra.node.id, 'MULTIPLE_DATA_SOURCES', { ids }, REMOVE)
    }
  }
  if (lossCount === 0) report.error('', 'NO_LOSS', {})
  else reportUnused(infos, report)
  return lossCount > 0
}

/** Warns about branches that end without reaching a loss (their nodes would not be trained). */
function reportUnused(infos: readonly Info[], report: Report): void {
  const reaches = new Uint8Array(infos.length)
  const stack: number[] = []
  for (const info of infos) {
    if (info.type && blocks[info.type].kind === 'loss') {
      reaches[info.index] = 1
      stack.push(info.index)
    }
  }
  while (stack.length > 0) {
    for (const up of infos[stack.pop()!]!.ins) {
      if (!reaches[up]) {
        reaches[up] = 1
        stack.push(up)
      }
    }
  }
  // A dead end is reported when it branches off the network (it hangs below a node that reaches
  // the loss); a chain cut in two is reported by NO_INPUT on its lower half instead.
  const below = new Uint8Array(infos.length)
  const down: number[] = []
  for (let i = 0; i < infos.length; i++) if (reaches[i]) down.push(i)
  while (down.length > 0) {
    for (const next of infos[down.pop()!]!.outs) {
      if (!reaches[next] && !below[next]) {
        below[next] = 1
        down.push(next)
      }
    }
  }
  for (const info of infos) {
    if (!info.type || !below[info.index] || info.outs.length > 0) continue
    report.warn(info.node.id, 'UNUSED_OUTPUT', { type: info.type, id: info.node.id }, REMOVE)
  }
}
