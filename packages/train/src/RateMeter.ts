/**
 * Throughput over the latest few measurements: the total of their samples over the total of their
 * seconds, so one short or stalled window moves it little.
 */
export class RateMeter {
  private windows: Array<{ samples: number; seconds: number }> = []

  /** @param size how many of the latest measurements count */
  constructor(private readonly size: number) {}

  /** Records `samples` processed in `seconds`; returns the rate (null until any time has passed). */
  add(samples: number, seconds: number): number | null {
    this.windows.push({ samples, seconds })
    if (this.windows.length > this.size) this.windows.shift()
    let total = 0
    let time = 0
    for (const w of this.windows) {
      total += w.samples
      time += w.seconds
    }
    return time > 0 ? total / time : null
  }

  /** Forgets every measurement. */
  reset(): void {
    this.windows = []
  }
}
