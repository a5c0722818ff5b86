import { GraphExportError, toPyTorch, toTypeScript } from '@tensorloom/graph'
import { formatIssues } from '../format.js'
import type { CliIO } from '../io.js'
import { cliMessage } from '../messages.js'
import { loadDocument } from './loadDocument.js'
import { outputProblem, writeOutput } from './outputs.js'

/** Languages `tensorloom export` writes. */
export const exportTargets = ['pytorch', 'typescript'] as const

/** A language `tensorloom export` writes. */
export type ExportTarget = (typeof exportTargets)[number]

/**
 * `tensorloom export graph.json --to pytorch|typescript [-o file]`: writes the program to `output`
 * (atomically; never over the graph file itself) or to stdout. Returns the exit code: 1 when the
 * file is invalid, the graph has errors or the output cannot be written.
 */
export async function exportGraph(
  io: CliIO,
  path: string,
  to: ExportTarget,
  output?: string,
): Promise<number> {
  if (output !== undefined) {
    const problem = await outputProblem(io, output, [path])
    if (problem) {
      io.stderr(`${problem}\n`)
      return 1
    }
  }
  const doc = await loadDocument(io, path)
  if (!doc) return 1
  let code: string
  try {
    code = to === 'pytorch' ? toPyTorch(doc) : toTypeScript(doc)
  } catch (error) {
    if (!(error instanceof GraphExportError)) throw error
    io.stderr(
      `${cliMessage('EXPORT_FAILED', { path, message: error.message })}\n\n${formatIssues(doc, error.issues)}`,
    )
    return 1
  }
  if (output === undefined) {
    io.stdout(code)
    return 0
  }
  const failed = await writeOutput(io, output, code)
  if (failed) {
    io.stderr(`${failed}\n`)
    return 1
  }
  const language = to === 'pytorch' ? 'PyTorch' : 'TypeScript'
  io.stderr(`${cliMessage('WROTE_PROGRAM', { path: output, language })}\n`)
  return 0
}
