import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RunPosition } from './protocol'
import { CheckpointKeeper, recoveryMessage, watchContext, withTimeout } from './recovery'

/** A stand-in for a WebGL context on an OffscreenCanvas: loses itself on demand. */
function fakeContext() {
  const canvas = new EventTarget()
  let lost = false
  return {
    gl: { canvas, isContextLost: () => lost },
    /** What `WEBGL_lose_context.loseContext()` does: flag, then the event, as a later task. */
    lose(withEvent = true) {
      lost = true
      if (withEvent)
        setTimeout(
          () => canvas.dispatchEvent(new Event('webglcontextlost', { cancelable: true })),
          0,
        )
    },
  }
}

const never = () => new Promise<never>(() => {})

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('watchContext', () => {
  it('reports the webglcontextlost event and stops watching', async () => {
    const ctx = fakeContext()
    const canvasEvents: Event[] = []
    ctx.gl.canvas.addEventListener('webglcontextlost', (e) => canvasEvents.push(e))
    const watch = watchContext(ctx.gl, { probe: never, lastProgress: () => 0, pollMs: 1000 })
    expect(watch.isLost).toBe(false)
    ctx.lose()
    await vi.advanceTimersByTimeAsync(1)
    await expect(watch.lost).resolves.toBe('the browser reported webglcontextlost')
    expect(watch.isLost).toBe(true)
    // Like tfjs, it asks the browser for a restorable context.
    expect(canvasEvents[0]?.defaultPrevented).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('notices isContextLost() without an event, at the next poll', async () => {
    const ctx = fakeContext()
    const watch = watchContext(ctx.gl, { probe: never, lastProgress: () => 0, pollMs: 250 })
    ctx.lose(false)
    await vi.advanceTimersByTimeAsync(249)
    expect(watch.isLost).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await expect(watch.lost).resolves.toBe('gl.isContextLost() became true')
  })

  it('probes a stalled run and counts a read-back that never answers as a loss', async () => {
    const ctx = fakeContext()
    const probe = vi.fn(never)
    const start = Date.now()
    const watch = watchContext(ctx.gl, {
      probe,
      lastProgress: () => start,
      pollMs: 100,
      stallMs: 1000,
      probeTimeoutMs: 500,
      now: () => Date.now(),
    })
    await vi.advanceTimersByTimeAsync(900)
    expect(probe).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(100)
    expect(probe).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(499)
    expect(watch.isLost).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await expect(watch.lost).resolves.toBe('a WebGL read-back did not answer within 1 s')
    expect(probe).toHaveBeenCalledTimes(1)
  })

  it('lets a slow but answering backend carry on, and never probes while paused', async () => {
    const ctx = fakeContext()
    let last: number | null = Date.now()
    const probe = vi.fn(() => new Promise<void>((resolve) => setTimeout(resolve, 200)))
    const watch = watchContext(ctx.gl, {
      probe,
      lastProgress: () => last,
      pollMs: 100,
      stallMs: 1000,
      probeTimeoutMs: 500,
      now: () => Date.now(),
    })
    await vi.advanceTimersByTimeAsync(1300)
    expect(probe).toHaveBeenCalledTimes(1)
    expect(watch.isLost).toBe(false)
    // The probe answered: the next one waits another stallMs.
    await vi.advanceTimersByTimeAsync(800)
    expect(probe).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(200)
    expect(probe).toHaveBeenCalledTimes(2)
    last = null
    await vi.advanceTimersByTimeAsync(10_000)
    expect(probe).toHaveBeenCalledTimes(2)
    expect(watch.isLost).toBe(false)
    watch.dispose()
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('withTimeout', () => {
  it('passes a value or an error through, and rejects when time is up', async () => {
    await expect(withTimeout(Promise.resolve(3), 10, 'late')).resolves.toBe(3)
    await expect(withTimeout(Promise.reject(new Error('no')), 10, 'late')).rejects.toThrow('no')
    const late = withTimeout(never(), 10, 'late')
    const check = expect(late).rejects.toThrow('late')
    await vi.advanceTimersByTimeAsync(10)
    await check
  })
})

describe('CheckpointKeeper', () => {
  const at = (globalStep: number): RunPosition => ({ epoch: 1, step: globalStep, globalStep })

  it('asks every `every` batches and after each epoch, one request at a time', async () => {
    const keeper = new CheckpointKeeper<RunPosition>(100, () => true)
    const asked: number[] = []
    const take = (step: number) => () => {
      asked.push(step)
      return Promise.resolve(at(step))
    }
    keeper.progress(40, false, take(40))
    keeper.progress(100, false, take(100))
    keeper.progress(104, false, take(104))
    await Promise.resolve()
    expect(keeper.latest?.globalStep).toBe(100)
    keeper.progress(150, true, take(150))
    await Promise.resolve()
    keeper.progress(200, false, take(200))
    keeper.progress(250, false, take(250))
    await Promise.resolve()
    expect(asked).toEqual([100, 150, 250])
    expect(keeper.latest?.globalStep).toBe(250)
  })

  it('keeps nothing read back once the context is lost, and abandons a hung request', async () => {
    let trusted = true
    const keeper = new CheckpointKeeper<RunPosition>(10, () => trusted)
    keeper.offer(at(0))
    let answer: (c: RunPosition) => void = () => {}
    keeper.progress(10, false, () => new Promise((resolve) => (answer = resolve)))
    // Still waiting: no second request.
    const second = vi.fn(() => Promise.resolve(at(20)))
    keeper.progress(20, false, second)
    expect(second).not.toHaveBeenCalled()
    trusted = false
    answer(at(10))
    await Promise.resolve()
    expect(keeper.latest?.globalStep).toBe(0)

    // A hung request is forgotten when a new trainer takes over; its late answer is ignored.
    trusted = true
    let late: (c: RunPosition) => void = () => {}
    keeper.progress(30, false, () => new Promise((resolve) => (late = resolve)))
    keeper.restart(0)
    keeper.progress(10, false, () => Promise.resolve(at(10)))
    await Promise.resolve()
    late(at(30))
    await Promise.resolve()
    expect(keeper.latest?.globalStep).toBe(10)
    // An older checkpoint never replaces a newer one.
    keeper.offer(at(5))
    expect(keeper.latest?.globalStep).toBe(10)
  })
})

describe('recoveryMessage', () => {
  it('names where the context was lost, the checkpoint and the new backend', () => {
    expect(
      recoveryMessage({
        from: 'webgl',
        to: 'wasm',
        lostAt: { epoch: 1, step: 312, globalStep: 312 },
        resumedFrom: { epoch: 1, step: 300, globalStep: 300 },
      }),
    ).toBe(
      'WebGL context lost at epoch 1 batch 312; resumed from the checkpoint at batch 300 on wasm.',
    )
    expect(
      recoveryMessage({
        from: 'webgl',
        to: 'cpu',
        lostAt: { epoch: 1, step: 3, globalStep: 3 },
        resumedFrom: { epoch: 1, step: 0, globalStep: 0 },
      }),
    ).toBe('WebGL context lost at epoch 1 batch 3; resumed from the start on cpu.')
  })
})
