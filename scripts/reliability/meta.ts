/**
 * The convention that lets `scripts/reliability/report.mjs` build RELIABILITY.md from the vitest
 * JSON reports:
 *
 * - a reliability test sits in a `describe` whose title starts with `reliability: `, followed by
 *   the fault or input class family (`reliability: hostile graph files`);
 * - the test title names the class tried (`nesting 100,000 levels deep`);
 * - the test calls `record(task, cases, outcome)` with how many cases it tried and a one-line
 *   summary of what happened to them (`rejected: TOO_DEEP ×5`).
 *
 * The test's pass/fail status comes from the report itself.
 */

/** What a reliability test stores in vitest's `task.meta` (kept in the JSON report). */
export interface ReliabilityMeta {
  cases: number
  outcome?: string
}

/** Records on the running test how many cases it tried and what happened to them. */
export function record(task: { meta: object }, cases: number, outcome?: string): void {
  const meta: ReliabilityMeta = outcome === undefined ? { cases } : { cases, outcome }
  Object.assign(task.meta, meta)
}

/** Counts outcomes by label and prints them as `TOO_DEEP ×3, ok ×2` (most frequent first). */
export class Tally {
  readonly #counts = new Map<string, number>()

  add(label: string): void {
    this.#counts.set(label, (this.#counts.get(label) ?? 0) + 1)
  }

  get total(): number {
    let n = 0
    for (const c of this.#counts.values()) n += c
    return n
  }

  count(label: string): number {
    return this.#counts.get(label) ?? 0
  }

  toString(): string {
    return [...this.#counts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([label, n]) => `${label} ×${n}`)
      .join(', ')
  }
}
