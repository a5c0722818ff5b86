import { type GraphDocument, safeParseGraph } from '@tensorloom/graph'
import type { CliIO } from '../io.js'

/** Reads and validates a graph file; reports problems on stderr and returns null on failure. */
export async function loadDocument(io: CliIO, path: string): Promise<GraphDocument | null> {
  let text: string
  try {
    text = await io.readFile(path)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    io.stderr(`tensorloom: cannot read ${path}: ${reason}\n`)
    return null
  }
  const result = safeParseGraph(text)
  if (result.ok) return result.doc
  io.stderr(`${path}: invalid graph document [${result.error.code}]\n`)
  for (const problem of result.error.problems) {
    io.stderr(`  ${problem.path ? `${problem.path}: ` : ''}${problem.message}\n`)
  }
  return null
}
