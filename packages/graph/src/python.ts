/** Formats a value as Python source: `True`, `None`, `(0.1307,)`, `'mean'`, `784`. */
export function formatPython(value: unknown): string {
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (Array.isArray(value)) {
    return value.length === 1
      ? `(${formatPython(value[0])},)`
      : `(${value.map(formatPython).join(', ')})`
  }
  if (typeof value === 'number') return pythonNumber(value)
  return String(value)
}

/** A number as Python writes it (`repr`): `784`, `0.001`, `1e-05`. */
export function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return "float('nan')"
  if (!Number.isFinite(value)) return value > 0 ? "float('inf')" : "float('-inf')"
  // Python's repr switches to exponents below 1e-4 and from 1e16, with at least two digits.
  const abs = Math.abs(value)
  const s = abs !== 0 && (abs < 1e-4 || abs >= 1e16) ? value.toExponential() : String(value)
  return s.replace(/e([+-])(\d)$/, 'e$10$2')
}

/**
 * A number as a Python float literal (`1.0`, `0.2`, `1e-05`): modules that print an argument with
 * `str.format` (`ELU(alpha=1)` vs `ELU(alpha=1.0)`) then print what Tensorloom's runtime prints.
 */
export function pythonFloat(value: number): string {
  const s = pythonNumber(value)
  return /^-?\d+$/.test(s) ? `${s}.0` : s
}

/** A value as TypeScript source: `784`, `'mean'`, `[0.1307]`, `null`. */
export function formatTypeScript(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatTypeScript).join(', ')}]`
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  return String(value)
}

/**
 * An argument that is written only when it differs from its default: `[name, value, default]`,
 * with `'float'` last for a float argument written as a Python float (`alpha=2.0`).
 */
export type Optional = readonly [string, unknown, unknown, 'float'?]

/** Python keyword arguments that differ from their defaults: `, stride=2, bias=False`. */
export function pyKwargs(pairs: readonly Optional[]): string {
  return pairs
    .filter(([, value, fallback]) => value !== fallback)
    .map(
      ([key, value, , kind]) =>
        `, ${key}=${kind === 'float' && typeof value === 'number' ? pythonFloat(value) : formatPython(value)}`,
    )
    .join('')
}

/** A Python call `name(positional..., keyword=...)` with the keywords that differ from defaults. */
export function pyCall(
  name: string,
  positional: readonly string[],
  kwargs: readonly Optional[] = [],
): string {
  const args = [...positional]
  const rest = pyKwargs(kwargs).replace(/^, /, '')
  if (rest) args.push(rest)
  return `${name}(${args.join(', ')})`
}

/** `{ key: value }` of the options that differ from their defaults, or null when none do. */
export function tsOptions(pairs: readonly Optional[]): string | null {
  const set = pairs.filter(([, value, fallback]) => value !== fallback)
  return set.length === 0
    ? null
    : `{ ${set.map(([k, v]) => `${k}: ${formatTypeScript(v)}`).join(', ')} }`
}

/** `new Name(positional..., { options })` with the options that differ from their defaults. */
export function tsNew(
  name: string,
  positional: readonly string[],
  options: readonly Optional[] = [],
): string {
  const args = [...positional]
  const rest = tsOptions(options)
  if (rest) args.push(rest)
  return `new ${name}(${args.join(', ')})`
}

/** A Python list of the values: `['cat', 'dog']` (`formatPython` writes tuples). */
export function pyList(values: readonly unknown[]): string {
  return `[${values.map(formatPython).join(', ')}]`
}
