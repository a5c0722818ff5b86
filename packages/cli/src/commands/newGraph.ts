import { serializeGraph, templates } from '@tensorloom/graph'
import type { CliIO } from '../io.js'

/** Names of the built-in templates `tensorloom new` writes. */
export const templateNames = Object.keys(templates) as (keyof typeof templates)[]

/**
 * `tensorloom new <template> [-o file]`: writes a built-in template (`lesson`, `deepMlp`,
 * `smallCnn`, `empty`) as a graph document, to `output` or to stdout.
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
  await io.writeFile(output, json)
  io.stderr(`Wrote ${output} (template ${template})\n`)
  return 0
}
