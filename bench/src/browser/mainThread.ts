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

export {
  MAIN_THREAD_TRACE_CATEGORIES,
  type MainThreadTasks,
  mainThreadTasks,
  type TraceEvent,
} from '../../../scripts/testing/traceTasks.js'
