/**
 * Calls `run` once, before the next frame is painted, or after `maxDelayMs` when no frame comes
 * (a hidden tab paints none, and a finished run should still be saved).
 */
export function nextFrame(run: () => void, maxDelayMs = 100): void {
  let done = false
  const once = () => {
    if (done) return
    done = true
    cancelAnimationFrame(frame)
    clearTimeout(timer)
    run()
  }
  const frame = requestAnimationFrame(once)
  const timer = setTimeout(once, maxDelayMs)
}
