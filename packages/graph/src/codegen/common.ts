import { GraphExportError } from '../GraphExportError.js'
import { safeParseGraph } from '../parseGraph.js'
import { isValidPlan, planGraph, type ValidPlan } from '../planGraph.js'
import type { GraphDocument } from '../types.js'

/** Checks the document and plans what to generate; throws `GraphExportError` on errors. */
export function plan(input: GraphDocument): ValidPlan {
  // Callers may pass unvalidated data: export what parseGraph would load (types checked,
  // defaults filled), so a missing or mistyped value can never reach the generated code.
  const parsed = safeParseGraph(input)
  if (!parsed.ok) {
    throw new GraphExportError(
      parsed.error.problems.map((p) => ({
        nodeId: '',
        severity: 'error' as const,
        code: p.code,
        message: p.path ? `${p.path}: ${p.message}` : p.message,
      })),
    )
  }
  const result = planGraph(parsed.doc)
  if (!isValidPlan(result)) throw new GraphExportError(result.errors)
  return result
}

/** Makes text safe for a one-line comment in Python or TypeScript. */
export function commentText(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    const control =
      code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029
    out += control ? ' ' : ch
  }
  return out.replaceAll('*/', '* /').trim()
}
