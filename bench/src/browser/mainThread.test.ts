import { describe, expect, it } from 'vitest'
import { mainThreadTasks, type TraceEvent } from './mainThread'

const thread = (pid: number, tid: number, name: string): TraceEvent => ({
  name: 'thread_name',
  ph: 'M',
  pid,
  tid,
  args: { name },
})
const task = (pid: number, tid: number, dur: number, tdur: number): TraceEvent => ({
  name: 'RunTask',
  ph: 'X',
  pid,
  tid,
  ts: 0,
  dur: dur * 1000,
  tdur: tdur * 1000,
})

describe('mainThreadTasks', () => {
  it("reads the busiest renderer main thread's tasks, by wall clock and by thread time", () => {
    const events = [
      thread(1, 10, 'CrRendererMain'),
      thread(1, 11, 'DedicatedWorker thread'),
      thread(2, 20, 'CrRendererMain'),
      thread(3, 30, 'CrGpuMain'),
      task(1, 10, 142, 4),
      task(1, 10, 12, 9),
      task(1, 10, 60, 55),
      task(1, 11, 900, 900), // the training worker: not the main thread
      task(2, 20, 300, 300), // a blank page's renderer, with fewer tasks
      task(3, 30, 500, 500),
      { name: 'Paint', ph: 'X', pid: 1, tid: 10, ts: 0, dur: 140_000, tdur: 2_000 },
    ]
    expect(mainThreadTasks(events)).toEqual({
      tasks: 3,
      longestWallMs: 142,
      longestCpuMs: 55,
      cpuMs: 68,
      long: [
        { wallMs: 142, cpuMs: 4 },
        { wallMs: 60, cpuMs: 55 },
      ],
    })
  })

  it('reports nothing for a trace without a renderer', () => {
    expect(mainThreadTasks([thread(3, 30, 'CrGpuMain'), task(3, 30, 500, 500)])).toEqual({
      tasks: 0,
      longestWallMs: 0,
      longestCpuMs: 0,
      cpuMs: 0,
      long: [],
    })
  })
})
