/**
 * Resolves after the event loop has run once: timers, messages and abort handlers queued meanwhile
 * get their turn. `setImmediate` in Node; a `MessageChannel` round trip elsewhere, which (unlike
 * `setTimeout`) browsers do not clamp to 4 ms.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve))
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })
}
