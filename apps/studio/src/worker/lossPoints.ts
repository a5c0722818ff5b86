/**
 * The loss-chart points of one trainer update, `[global step, loss]`. The trainer reads the losses
 * of all the batches since its previous update back in one go (`batchLosses`, ending at
 * `globalStep`), so the chart gets one point per batch while the device syncs only every few
 * batches. Should several updates arrive at once, the earlier ones keep their window means.
 */
export function lossPoints(
  windows: ReadonlyArray<readonly [number, number]>,
  globalStep: number,
  batchLosses: readonly number[],
): [number, number][] {
  if (windows.length === 0) return []
  const earlier = windows.slice(0, -1).map(([step, loss]) => [step, loss] as [number, number])
  const [lastStep, lastMean] = windows[windows.length - 1]!
  if (batchLosses.length === 0 || lastStep !== globalStep) {
    return [...earlier, [lastStep, lastMean]]
  }
  const first = globalStep - batchLosses.length + 1
  return [...earlier, ...batchLosses.map((loss, i) => [first + i, loss] as [number, number])]
}
