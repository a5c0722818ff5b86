/** Formats a number the way Python's `repr(float(x))` does: `0.1`, `1.0`, `1e-05`, `1e+16`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (x === Number.POSITIVE_INFINITY) return 'inf'
  if (x === Number.NEGATIVE_INFINITY) return '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const sign = x < 0 ? '-' : ''
  const [mantissa = '', expText = '0'] = Math.abs(x).toExponential().split('e')
  const digits = mantissa.replace('.', '')
  const exp = Number(expText)
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    const e = Math.abs(exp).toString().padStart(2, '0')
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e}`
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
  const frac = digits.slice(exp + 1)
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`
}

/** Python's `repr(bool)`: `True` / `False`. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False'
}

/** Python's repr of a tuple of ints: `(3, 3)`. */
export function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`
}

/** PyTorch's `_addindent`: indents every line but the first by `spaces`. */
export function addIndent(text: string, spaces: number): string {
  const lines = text.split('\n')
  if (lines.length === 1) return text
  const pad = ' '.repeat(spaces)
  return [lines[0], ...lines.slice(1).map((line) => pad + line)].join('\n')
}
