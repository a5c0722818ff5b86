import { describe, expect, it } from 'vitest'
import type { Checkpoint } from './checkpoint'
import { RunControl } from './RunControl'

const settle = () => new Promise((resolve) => setTimeout(resolve, 10))

function setup() {
  const log: string[] = []
  let taken = 0
  const control = new RunControl({
    flush: async () => {
      log.push('flush')
    },
    checkpoint: async () => {
      log.push('checkpoint')
      return { step: ++taken } as unknown as Checkpoint
    },
    paused: (paused) => log.push(paused ? 'paused' : 'resumed'),
  })
  return { control, log }
}

describe('RunControl', () => {
  it('goes on until stopAt, then reads back and stops', async () => {
    const { control, log } = setup()
    control.begin(undefined, 3)
    expect(control.stopAt).toBe(3)
    expect(await control.boundary(2)).toBe(true)
    expect(log).toEqual([])
    expect(await control.boundary(3)).toBe(false)
    expect(log).toEqual(['flush'])
    control.end()
  })

  it('pauses at a boundary until resumed; an abort ends the pause and the run', async () => {
    const { control, log } = setup()
    control.begin(undefined, null)
    control.pause()
    const resumed = control.boundary(0)
    await settle()
    expect(log).toEqual(['flush', 'paused'])
    control.resume()
    expect(await resumed).toBe(true)
    expect(log).toEqual(['flush', 'paused', 'resumed'])
    control.end()

    const abort = new AbortController()
    control.begin(abort.signal, null)
    control.pause()
    const aborted = control.boundary(0)
    await settle()
    abort.abort()
    expect(await aborted).toBe(false)
    control.end()
  })

  it('answers checkpoint requests at the next boundary, and those left when the run ends', async () => {
    const { control, log } = setup()
    control.begin(undefined, null)
    const first = control.requestCheckpoint()
    expect(await control.boundary(0)).toBe(true)
    expect(await first).toEqual({ step: 1 })
    expect(log).toEqual(['flush', 'checkpoint'])
    const second = control.requestCheckpoint()
    control.end()
    expect(await second).toEqual({ step: 2 })
  })

  it('forgets a pause asked for before the run began', async () => {
    const { control, log } = setup()
    control.pause()
    control.begin(undefined, null)
    expect(await control.boundary(0)).toBe(true)
    expect(log).toEqual([])
    control.end()
  })
})
