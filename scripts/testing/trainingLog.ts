/**
 * Readers of what the lesson's exported training scripts print (PyTorch and TypeScript alike):
 * `Loss: 0.1234` lines and a final `Test accuracy: 97.50%`.
 */

/** The losses a script printed, in order (torchrun's rank prefixes are skipped). */
export const losses = (out: string): number[] =>
  [...out.matchAll(/Loss: ([0-9.]+)/g)].map((m) => Number(m[1]))

/** The arithmetic mean of `xs`. */
export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

/** The last test accuracy a script printed (after its last epoch), in percent; NaN when none. */
export const accuracy = (out: string): number =>
  Number([...out.matchAll(/Test accuracy: ([0-9.]+)%/g)].at(-1)?.[1] ?? Number.NaN)
