import { readdirSync, readFileSync } from 'node:fs'

/**
 * CPU seconds (user + system) used so far by the descendants of this process — e.g. a Chromium
 * started by Playwright, GPU and renderer processes included. On a machine shared with other
 * work, CPU time is a steadier measure of the work a run did than wall time. Linux only (null
 * elsewhere).
 */
export function descendantCpuSeconds(root = process.pid): number | null {
  let entries: string[]
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return null
  }
  const parent = new Map<number, number>()
  const ticks = new Map<number, number>()
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      parent.set(Number(pid), Number(fields[1]))
      // utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the command.
      ticks.set(
        Number(pid),
        Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
      )
    } catch {
      // The process exited meanwhile.
    }
  }
  let total = 0
  for (const [pid, t] of ticks) {
    let p: number | undefined = pid
    while (p !== undefined && p > 1 && p !== root) p = parent.get(p)
    if (p === root && pid !== root) total += t
  }
  return total / 100
}
