import { type ErrorCode, type ErrorValues, makeIssue } from '../errors.js'
import type { Fix, ShapeIssue } from '../issue.js'
import type { NodeIssue } from '../types.js'

/** Collects the errors and warnings of one inference. */
export class Report {
  readonly errors: NodeIssue[] = []
  readonly warnings: NodeIssue[] = []

  add(nodeId: string, severity: 'error' | 'warning', issue: ShapeIssue): void {
    const out: NodeIssue = { nodeId, severity, code: issue.code, message: issue.message }
    if (issue.fix) out.fix = issue.fix
    if (issue.values) out.values = issue.values
    ;(severity === 'error' ? this.errors : this.warnings).push(out)
  }

  error<C extends ErrorCode>(nodeId: string, code: C, values: ErrorValues<C>, fix?: Fix): void {
    this.add(nodeId, 'error', makeIssue(code, values, fix))
  }

  warn<C extends ErrorCode>(nodeId: string, code: C, values: ErrorValues<C>, fix?: Fix): void {
    this.add(nodeId, 'warning', makeIssue(code, values, fix))
  }
}
