import type { GraphDocument, NodeIssue } from '@tensorloom/graph'
import { escapeControl } from './escape.js'

/**
 * Pads the columns of rows of cells so they line up. Cells are printed with their control
 * characters escaped (they hold document names and node ids).
 */
export function table(cells: readonly (readonly string[])[], indent = '  '): string {
  const rows = cells.map((row) => row.map(escapeControl))
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length)
    })
  }
  return rows
    .map((row) =>
      (
        indent +
        row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')
      ).trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('')
}

/** `Linear (n6)`, or the id alone when the node is unknown (control characters not escaped). */
export function nodeLabel(doc: GraphDocument, id: string): string {
  const node = doc.nodes.find((n) => n.id === id)
  return node ? `${node.type} (${id})` : id
}

/** Formats issues, each with its fix on the next line, with control characters escaped. */
export function formatIssues(doc: GraphDocument, issues: readonly NodeIssue[]): string {
  let out = ''
  for (const issue of issues) {
    const where = issue.nodeId ? `${nodeLabel(doc, issue.nodeId)}: ` : ''
    out += `${issue.severity.padEnd(7)} ${escapeControl(`${where}${issue.message} [${issue.code}]`)}\n`
    if (issue.fix) out += `        fix: ${escapeControl(issue.fix.label)}\n`
  }
  return out
}

/** `1 error, 2 warnings`. */
export function countIssues(issues: readonly NodeIssue[]): string {
  const errors = issues.filter((i) => i.severity === 'error').length
  const warnings = issues.length - errors
  const plural = (n: number, word: string) => `${n === 0 ? 'no' : n} ${word}${n === 1 ? '' : 's'}`
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`
}
