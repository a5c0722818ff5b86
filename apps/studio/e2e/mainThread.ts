import type { Browser, Page } from '@playwright/test'

interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  dur?: number
  tdur?: number
  args?: { name?: string }
}

/** The page's main-thread tasks while something ran: wall clock, and the thread's own CPU time. */
export interface MainThreadTasks {
  tasks: number
  longestWallMs: number
  longestCpuMs: number
  cpuMs: number
  /** Tasks of 50 ms or more by the clock, with their CPU time (ms). */
  long: { wallMs: number; cpuMs: number }[]
}

/**
 * Traces the page's renderer main thread (`RunTask` events) while `during` runs. Each task has a
 * wall-clock duration, which is what `longtask` entries report, and a thread time: only the time
 * the thread ran. On the shared 2-core CI machine, with the training worker and the GPU process
 * (SwiftShader) busy, a task of a few ms of work can take 150 ms by the clock, waiting for a core;
 * the thread time is the page's own blocking. (bench/src/browser/mainThread.ts reads the same.)
 */
export async function traceMainThread(
  browser: Browser,
  page: Page,
  during: () => Promise<void>,
): Promise<MainThreadTasks> {
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'],
  })
  let trace = '{"traceEvents":[]}'
  try {
    await during()
  } finally {
    trace = (await browser.stopTracing()).toString('utf8')
  }
  const events = (JSON.parse(trace) as { traceEvents: TraceEvent[] }).traceEvents
  const main = new Set(
    events
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  )
  const byThread = new Map<string, TraceEvent[]>()
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`
    if (e.name !== 'RunTask' || e.ph !== 'X' || !main.has(key)) continue
    const list = byThread.get(key)
    if (list) list.push(e)
    else byThread.set(key, [e])
  }
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
