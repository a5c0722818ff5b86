import { errorMessages } from './errors.js'
import type { NodeIssue } from './types.js'

/**
 * Thrown by `toPyTorch` and `toTypeScript` when the graph has errors (the exported program would
 * fail): `issues` are the errors from `inferShapes`, each with its node and fix.
 */
export class GraphExportError extends Error {
  /** Always `EXPORT_BLOCKED`. */
  readonly code = 'EXPORT_BLOCKED'
  /** The errors that block the export. */
  readonly issues: readonly NodeIssue[]

  constructor(issues: readonly NodeIssue[]) {
    const first = issues[0]
    const where = first?.nodeId ? `${first.nodeId}: ` : ''
    super(
      errorMessages.EXPORT_BLOCKED({
        count: issues.length,
        first: `${where}${first?.message ?? ''}`,
      }),
    )
    this.name = 'GraphExportError'
    this.issues = issues
  }
}
