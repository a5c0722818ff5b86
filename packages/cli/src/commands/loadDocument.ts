import { type GraphDocument, safeParseGraph } from '@tensorloom/graph'
import type { CliIO } from '../io.js'
import { cliMessage } from '../messages.js'

/** Reads and validates a graph file; reports problems on stderr and returns null on failure. */
export async function loadDocument(io: CliIO, path: string): Promise<GraphDocument | null> {
  let text: string
  try {
    text = await io.readFile(path)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    io.stderr(`${cliMessage('CANNOT_READ', { path, reason })}\n`)
    return null
  }
  const result = safeParseGraph(text)
  if (result.ok) return result.doc
  io.stderr(`${cliMessage('INVALID_DOCUMENT', { path, code: result.error.code })}\n`)
  for (const problem of result.error.problems) {
    io.stderr(
      `${cliMessage('DOCUMENT_PROBLEM', { where: problem.path, message: problem.message })}\n`,
    )
  }
  return null
}
