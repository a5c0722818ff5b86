import { GraphExportError, toPyTorch, toTypeScript } from '@tensorloom/graph'
import { formatIssues } from '../format.js'
import type { CliIO } from '../io.js'
import { loadDocument } from './loadDocument.js'

/** Languages `tensorloom export` writes. */
export const exportTargets = ['pytorch', 'typescript'] as const

/** A language `tensorloom export` writes. */
export type ExportTarget = (typeof exportTargets)[number]

/**
 * `tensorloom export graph.json --to pytorch|typescript [-o file]`: writes the program to `output`
 * or to stdout. Returns the exit code: 1 when the file is invalid or the graph has errors.
 */
export async function exportGraph(
  io: CliIO,
  path: string,
  to: ExportTarget,
  output?: string,
): Promise<number> {
  const doc = await loadDocument(io, path)
  if (!doc) return 1
  let code: string
  try {
    code = to === 'pytorch' ? toPyTorch(doc) : toTypeScript(doc)
  } catch (error) {
    if (!(error instanceof GraphExportError)) throw error
    io.stderr(`${path}: ${error.message}\n\n${formatIssues(doc, error.issues)}`)
    return 1
  }
  if (output === undefined) {
    io.stdout(code)
    return 0
  }
  await io.writeFile(output, code)
  io.stderr(`Wrote ${output} (${to === 'pytorch' ? 'PyTorch' : 'TypeScript'})\n`)
  return 0
}
