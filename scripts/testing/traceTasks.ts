// Chromium traces: the page's main-thread tasks, read the same by the studio e2e and `pnpm bench`.

/** One event of a Chromium trace (`chrome://tracing` JSON), as far as the parser reads it. */
export interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  /** Microseconds. */
  ts?: number
  /** Wall-clock duration, microseconds. */
  dur?: number
  /** Thread (CPU) time of the event, microseconds. */
  tdur?: number
  args?: { name?: string }
}

/** The page's main-thread tasks in a trace: how long each took, and how long the thread ran. */
export interface MainThreadTasks {
  tasks: number
  /** Longest task by wall clock, in ms (what `longtask` entries report). */
  longestWallMs: number
  /** Longest task by the main thread's own CPU time, in ms: the page's work, without waiting. */
  longestCpuMs: number
  /** Main-thread CPU time over all tasks, in ms. */
  cpuMs: number
  /** Tasks of 50 ms or more by wall clock, with their CPU time, in ms. */
  long: { wallMs: number; cpuMs: number }[]
}

/** The trace categories {@link mainThreadTasks} reads. */
export const MAIN_THREAD_TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
]

/**
 * Reads the renderer main thread's tasks (`RunTask`) from a trace.
 * A task's wall-clock time includes the time its thread waited for a core; its thread time does
 * not. On a machine with more runnable threads than cores (a training worker, the GPU process and
 * other jobs), a task of 4 ms of work can take 150 ms by the clock: the two tell the page's
 * blocking from the machine's.
 */
export function mainThreadTasks(events: readonly TraceEvent[]): MainThreadTasks {
  const mainThreads = new Set(
    events
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  )
  const byThread = new Map<string, TraceEvent[]>()
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`
    if (e.name !== 'RunTask' || e.ph !== 'X' || !mainThreads.has(key)) continue
    const list = byThread.get(key)
    if (list) list.push(e)
    else byThread.set(key, [e])
  }
  // The page's renderer is the busiest one (others, if any, are blank pages).
  const tasks = [...byThread.values()].sort((a, b) => b.length - a.length)[0] ?? []
  const ms = (us: number | undefined) => (us ?? 0) / 1000
  return {
    tasks: tasks.length,
    longestWallMs: Math.max(0, ...tasks.map((t) => ms(t.dur))),
    longestCpuMs: Math.max(0, ...tasks.map((t) => ms(t.tdur))),
    cpuMs: tasks.reduce((sum, t) => sum + ms(t.tdur), 0),
    long: tasks
      .filter((t) => ms(t.dur) >= 50)
      .map((t) => ({ wallMs: Math.round(ms(t.dur)), cpuMs: Math.round(ms(t.tdur)) })),
  }
}
