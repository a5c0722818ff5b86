import { afterEach, describe, expect, it, vi } from 'vitest'
import { nextFrame } from './nextFrame'

describe('nextFrame', () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('runs once, at the next animation frame, not again after the delay', async () => {
    let runs = 0
    nextFrame(() => runs++, 50)
    expect(runs).toBe(0)
    await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()))
    expect(runs).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(runs).toBe(1)
  })

  it('runs after the delay when no frame comes (a hidden tab)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    vi.stubGlobal('requestAnimationFrame', () => 1)
    vi.stubGlobal('cancelAnimationFrame', () => {})
    let runs = 0
    nextFrame(() => runs++, 100)
    vi.advanceTimersByTime(99)
    expect(runs).toBe(0)
    vi.advanceTimersByTime(1)
    expect(runs).toBe(1)
  })
})
