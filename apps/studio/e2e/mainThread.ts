import type { Browser, Page } from '@playwright/test'
import {
  MAIN_THREAD_TRACE_CATEGORIES,
  type MainThreadTasks,
  mainThreadTasks,
  type TraceEvent,
} from '../../../scripts/testing/traceTasks.js'

export type { MainThreadTasks }

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
    categories: MAIN_THREAD_TRACE_CATEGORIES,
  })
  let trace = '{"traceEvents":[]}'
  try {
    await during()
  } finally {
    trace = (await browser.stopTracing()).toString('utf8')
  }
  return mainThreadTasks((JSON.parse(trace) as { traceEvents: TraceEvent[] }).traceEvents)
}
