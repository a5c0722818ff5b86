/**
 * Formats a shape the way Python prints a tuple: `(64, 1, 28, 28)`, `(784,)`, `()`.
 *
 * @example formatShape([64, 784]) // '(64, 784)'
 */
export function formatShape(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`
  return `(${shape.join(', ')})`
}

/** Formats a shape as PyTorch prints a size in its errors: `[64, 1, 28, 28]`. */
export function formatSize(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`
}
