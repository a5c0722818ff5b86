import { inferShapes } from '@tensorloom/graph'
import { escapeControl } from '../escape.js'
import { countIssues, formatIssues, nodeLabel, table } from '../format.js'
import type { CliIO } from '../io.js'
import { loadDocument } from './loadDocument.js'

/** Options of `tensorloom check`. */
export interface CheckOptions {
  /** Print the `inferShapes` result as JSON instead of text. */
  json?: boolean
}

/**
 * `tensorloom check graph.json`: prints the shape on every edge, the parameters of each layer and
 * every issue with its fix. Returns the exit code: 1 when the file is invalid or has errors.
 */
export async function check(io: CliIO, path: string, options: CheckOptions = {}): Promise<number> {
  const doc = await loadDocument(io, path)
  if (!doc) return 1
  const result = inferShapes(doc)
  const errors = result.issues.filter((i) => i.severity === 'error').length
  if (options.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`)
    return errors > 0 ? 1 : 0
  }
  io.stdout(
    `${escapeControl(`${path}: ${doc.name}`)} (${doc.nodes.length} nodes, ${doc.edges.length} edges)\n`,
  )
  if (doc.edges.length > 0) {
    io.stdout('\nShapes:\n')
    io.stdout(
      table(
        doc.edges.map((e) => [
          nodeLabel(doc, e.source),
          '->',
          nodeLabel(doc, e.target),
          result.edges[e.id]?.label ?? '?',
        ]),
      ),
    )
  }
  const layers = doc.nodes.filter((n) => (result.nodes[n.id]?.paramCount ?? 0) > 0)
  if (layers.length > 0) {
    io.stdout('\nParameters:\n')
    io.stdout(
      table(
        [
          ...layers.map((n) => [
            nodeLabel(doc, n.id),
            result.nodes[n.id]!.paramCount.toLocaleString('en-US'),
          ]),
          ['total', result.totalParams.toLocaleString('en-US')],
        ].map(([label, count]) => [
          label!,
          count!.padStart(result.totalParams.toLocaleString('en-US').length),
        ]),
      ),
    )
  }
  if (result.issues.length > 0) io.stdout(`\n${formatIssues(doc, result.issues)}`)
  io.stdout(`\n${countIssues(result.issues)}\n`)
  return errors > 0 ? 1 : 0
}
