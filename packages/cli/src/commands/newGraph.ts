import { serializeGraph, templates } from '@tensorloom/graph'
import type { CliIO } from '../io.js'
import { cliMessage } from '../messages.js'
import { outputProblem, writeOutput } from './outputs.js'

/** Names of the built-in templates `tensorloom new` writes. */
export const templateNames = Object.keys(templates) as (keyof typeof templates)[]

/**
 * `tensorloom new <template> [-o file]`: writes a built-in template (`lesson`, `deepMlp`,
 * `smallCnn`, `empty`) as a graph document, to `output` (atomically) or to stdout. Returns the
 * exit code: 1 when the output cannot be written.
 */
export async function newGraph(
  io: CliIO,
  template: keyof typeof templates,
  output?: string,
): Promise<number> {
  const json = serializeGraph(templates[template])
  if (output === undefined) {
    io.stdout(json)
    return 0
  }
  const failed = (await outputProblem(io, output, [])) ?? (await writeOutput(io, output, json))
  if (failed) {
    io.stderr(`${failed}\n`)
    return 1
  }
  io.stderr(`${cliMessage('WROTE_TEMPLATE', { path: output, template })}\n`)
  return 0
}
