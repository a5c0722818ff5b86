import type { NodeIssue } from '@tensorloom/graph'

/**
 * Codes that say the graph is not finished yet rather than wrong: a block not wired in, a missing
 * dataset or loss, a merge waiting for its second input. The canvas shows them as quiet hints and
 * the header counts them as steps to do, not as errors; training still waits for them.
 */
export const UNFINISHED_CODES: ReadonlySet<string> = new Set([
  'DISCONNECTED_NODE',
  'NO_INPUT',
  'NO_DATA_SOURCE',
  'NO_LOSS',
  'MERGE_MISSING_INPUT',
  'MISSING_DATALOADER',
  'UNUSED_OUTPUT',
])

/** True for an issue that says the graph is unfinished (see {@link UNFINISHED_CODES}). */
export function isUnfinished(issue: Pick<NodeIssue, 'code'>): boolean {
  return UNFINISHED_CODES.has(issue.code)
}

/** Errors that say something is wrong, not merely unfinished. */
export function realErrors<T extends Pick<NodeIssue, 'code' | 'severity'>>(
  issues: readonly T[],
): T[] {
  return issues.filter((i) => i.severity === 'error' && !isUnfinished(i))
}
