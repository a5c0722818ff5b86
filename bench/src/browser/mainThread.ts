import type { Page } from '@playwright/test'

/** How responsive a page's main thread stayed while something ran. */
export interface MainThreadReport {
  /** Longest task the browser reported (PerformanceObserver `longtask`, ≥ 50 ms), in ms; 0 if none. */
  longestTaskMs: number
  /** Long tasks seen. */
  longTasks: number
  /** Animation frames that took longer than two 60 Hz frames (33 ms). */
  droppedFrames: number
  /** Animation frames seen. */
  frames: number
  /** Longest gap between two animation frames, in ms. */
  longestFrameGapMs: number
}

/**
 * The hook for target 4 (the studio's main thread never blocks longer than 50 ms during training):
 * observes long tasks and animation-frame gaps in `page` while `during` runs (e.g. clicking
 * Train in the studio and waiting for a number of steps), then reports them.
 *
 * @example
 * const report = await measureMainThread(page, async () => {
 *   await page.getByRole('button', { name: 'Train' }).click()
 *   await page.waitForTimeout(10_000)
 * })
 * expect(report.longestTaskMs).toBeLessThanOrEqual(50)
 */
export async function measureMainThread(
  page: Page,
  during: () => Promise<void>,
): Promise<MainThreadReport> {
  // A string, not a function: the TypeScript loader's helpers do not exist in the page.
  await page.evaluate(`(() => {
    const state = { longest: 0, count: 0, frames: 0, dropped: 0, gap: 0, last: 0, running: true }
    globalThis.__tensorloomMainThread = state
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        state.count++
        state.longest = Math.max(state.longest, e.duration)
      }
    }).observe({ type: 'longtask', buffered: false })
    const frame = (t) => {
      if (!state.running) return
      if (state.last) {
        const gap = t - state.last
        state.gap = Math.max(state.gap, gap)
        if (gap > 33.4) state.dropped++
      }
      state.last = t
      state.frames++
      requestAnimationFrame(frame)
    }
    requestAnimationFrame(frame)
  })()`)
  await during()
  return (await page.evaluate(`(() => {
    const s = globalThis.__tensorloomMainThread
    s.running = false
    return {
      longestTaskMs: s.longest,
      longTasks: s.count,
      droppedFrames: s.dropped,
      frames: s.frames,
      longestFrameGapMs: s.gap,
    }
  })()`)) as MainThreadReport
}

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
      .map((t) => ({ wallMs: ms(t.dur), cpuMs: ms(t.tdur) })),
  }
}
