/**
 * Reads the CPU seconds used so far by whatever runs the engines: set by the Node worker
 * (`process.cpuUsage`) and by the browser page (a function exposed by Playwright that sums the
 * Chromium processes' CPU time). Null when unavailable.
 */
let clock: () => Promise<number | null> = async () => null

export function setCpuClock(read: () => Promise<number | null>): void {
  clock = read
}

export function cpuNow(): Promise<number | null> {
  return clock()
}

/** CPU seconds between two readings, or null. */
export const cpuSince = (start: number | null, end: number | null): number | null =>
  start === null || end === null ? null : end - start
