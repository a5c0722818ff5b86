/**
 * Stable codes of the errors this package throws (shape errors are `ShapeError`s from
 * `@tensorloom/graph` and carry that package's codes).
 */
export type LayersErrorCode =
  | 'INVALID_MODULE_NAME'
  | 'INVALID_ARGUMENT'
  | 'STATE_DICT_MISMATCH'
  | 'SAFETENSORS_INVALID'
  | 'SAFETENSORS_UNSUPPORTED_DTYPE'
  | 'GRAPH_NOT_BUILDABLE'

/** An error from `@tensorloom/layers`: a stable `code`, the values involved and how to fix it. */
export class LayersError extends Error {
  /** Stable identifier, e.g. `STATE_DICT_MISMATCH`. */
  readonly code: LayersErrorCode
  /** The values that caused the error. */
  readonly values?: Record<string, unknown>
  /** What to do about it. */
  readonly hint?: string

  /** Inside this package, build errors with `layersError(key, values)` from {@link layersMessages}. */
  constructor(
    code: LayersErrorCode,
    message: string,
    extra: { values?: Record<string, unknown>; hint?: string } = {},
  ) {
    super(message)
    this.name = 'LayersError'
    this.code = code
    if (extra.values !== undefined) this.values = extra.values
    if (extra.hint !== undefined) this.hint = extra.hint
  }
}

/** `torch.Size([10, 784])`, as PyTorch prints shapes in its error messages. */
export function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`
}

/** One message of {@link layersMessages}: its public code, wording, hint and public values. */
interface MessageSpec<V> {
  code: LayersErrorCode
  message: (v: V) => string
  hint: (v: V) => string
  /** The error's public `values`; default: everything the message was built from. */
  values?: (v: V) => Record<string, unknown>
}

const spec = <V = Record<string, never>>(s: MessageSpec<V>): MessageSpec<V> => s

/** `INVALID_ARGUMENT` range wording: `>= 1` or `in [0, 3]`. */
const intRange = (min: number, max: number) =>
  max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`

/**
 * Every message `@tensorloom/layers` throws, by key (the pattern of graph's `errorMessages` and
 * train's `trainMessages`). Several keys share a public code; where PyTorch raises an error for
 * the same mistake, the message is PyTorch's wording. `values` picks what the error exposes.
 */
export const layersMessages = {
  // Arguments of layers and functions
  INT_ARGUMENT: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { owner: string; name: string; value: unknown; min: number; max: number }) =>
      `${v.owner}: ${v.name} must be an integer ${intRange(v.min, v.max)}, got ${String(v.value)}`,
    hint: (v) => `Pass an integer ${intRange(v.min, v.max)} as ${v.name}.`,
    values: (v) => ({ [v.name]: v.value }),
  }),
  NUMBER_ARGUMENT: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { owner: string; name: string; value: unknown; min: number; max: number }) =>
      `${v.owner}: ${v.name} must be a number in [${v.min}, ${v.max}], got ${String(v.value)}`,
    hint: (v) => `Pass a number between ${v.min} and ${v.max} as ${v.name}.`,
    values: (v) => ({ [v.name]: v.value }),
  }),
  DROPOUT_PROBABILITY: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { p: unknown }) =>
      `dropout probability has to be between 0 and 1, but got ${String(v.p)}`,
    hint: () => 'Pass a probability such as 0.5.',
  }),
  GELU_APPROXIMATE: spec({
    code: 'INVALID_ARGUMENT',
    message: (_v: { approximate: unknown }) => 'approximate argument must be either none or tanh.',
    hint: () => "Pass 'none' or 'tanh'.",
  }),
  LAYERNORM_SHAPE: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { normalizedShape: unknown }) =>
      `LayerNorm: normalized_shape must be an int or a non-empty list of ints, got ${String(v.normalizedShape)}`,
    hint: () => 'Pass the trailing dimensions, e.g. 128 or [16, 7, 7].',
  }),
  SEQUENTIAL_INDEX: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { index: number; length: number }) => `index ${v.index} is out of range`,
    hint: (v) => `Use an index in [${-v.length}, ${v.length - 1}].`,
  }),
  UNKNOWN_LAYER: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { type: unknown; known: readonly string[] }) =>
      `Unknown layer type ${JSON.stringify(v.type)}`,
    hint: (v) => `Use one of ${v.known.join(', ')}.`,
    values: (v) => ({ type: v.type }),
  }),
  FAN_IN_OUT: spec({
    code: 'INVALID_ARGUMENT',
    message: (_v: { shape: readonly number[] }) =>
      'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions',
    hint: () => 'Use this initialiser on weights ([out, in, ...]), not biases.',
  }),
  GRAPH_NOT_BUILDABLE: spec({
    code: 'GRAPH_NOT_BUILDABLE',
    message: (v: { issues: readonly { message: string }[] }) =>
      `The graph has ${v.issues.length} error${v.issues.length === 1 ? '' : 's'} and cannot be built: ${v.issues[0]?.message}`,
    hint: () => 'Fix the issues inferShapes(doc) reports (the studio offers one-click fixes).',
  }),

  // Modules
  CALL_NOT_TENSOR: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { module: string; input: unknown; got: string }) =>
      `${v.module}.call expects a tf.Tensor, got ${v.got}`,
    hint: () => 'Wrap the data in a tensor first, e.g. tf.tensor(data, shape).',
    values: (v) => ({ input: v.input }),
  }),
  NOT_A_MODULE: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { name: string; got: string }) => `${v.got} is not a Module subclass`,
    hint: () => 'Pass an instance of a class that extends Module.',
    values: (v) => ({ name: v.name }),
  }),
  PARAMETER_NOT_VARIABLE: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { name: string; got: string }) =>
      `cannot assign '${v.got}' object to parameter '${v.name}' (tf.Variable or null required)`,
    hint: () => 'Wrap the tensor with tf.variable(tensor).',
    values: (v) => ({ name: v.name }),
  }),
  BUFFER_NOT_TENSOR: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { name: string; got: string }) =>
      `cannot assign '${v.got}' object to buffer '${v.name}' (tf.Tensor or null required)`,
    hint: () => 'Pass a tf.Tensor (or a tf.Variable to update it in place).',
    values: (v) => ({ name: v.name }),
  }),
  NAME_NOT_STRING: spec({
    code: 'INVALID_MODULE_NAME',
    message: (v: { kind: string; name: unknown }) =>
      `${v.kind} name should be a string. Got ${typeof v.name}`,
    hint: () => 'Use a string name.',
    values: (v) => ({ name: v.name }),
  }),
  NAME_EMPTY: spec({
    code: 'INVALID_MODULE_NAME',
    message: (v: { kind: string; name: string }) => `${v.kind} name can't be empty string ""`,
    hint: () => 'Use a non-empty name.',
    values: (v) => ({ name: v.name }),
  }),
  NAME_HAS_DOT: spec({
    code: 'INVALID_MODULE_NAME',
    message: (v: { kind: string; name: string }) =>
      `${v.kind} name can't contain ".", got: ${v.name}`,
    hint: () => 'Dots separate levels in state-dict keys; use a name without dots.',
    values: (v) => ({ name: v.name }),
  }),
  NAME_EXISTS: spec({
    code: 'INVALID_MODULE_NAME',
    message: (v: { name: string; module: string }) => `attribute '${v.name}' already exists`,
    hint: (v) => `Pick another name; '${v.name}' is already used by this ${v.module}.`,
    values: (v) => ({ name: v.name }),
  }),

  // State dicts
  STATE_DICT_MISMATCH: spec({
    code: 'STATE_DICT_MISMATCH',
    message: (v: {
      module: string
      missingKeys: string[]
      unexpectedKeys: string[]
      errors: string[]
    }) => `Error(s) in loading state_dict for ${v.module}:\n\t${v.errors.join('\n\t')}`,
    hint: () =>
      'Load a state dict saved from the same architecture, or pass { strict: false } to skip ' +
      'missing and unexpected keys (shapes must still match).',
    values: ({ missingKeys, unexpectedKeys, errors }) => ({ missingKeys, unexpectedKeys, errors }),
  }),
  STATE_DICT_NOT_OBJECT: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { module: string; got: string }) =>
      `${v.module}.loadStateDict expects an object of tensors by key, got ${v.got}`,
    hint: () => 'Pass a state dict such as model.stateDict() or decodeSafetensors(bytes).tensors.',
    values: (v) => ({ stateDict: v.got }),
  }),
  STATE_DICT_OPTIONS: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { module: string; got: string }) =>
      `${v.module}.loadStateDict: options must be an object such as { strict: false }, got ${v.got}`,
    hint: () => 'Leave the options out, or pass { strict: true } or { strict: false }.',
    values: (v) => ({ options: v.got }),
  }),

  // Safetensors
  SAFETENSORS_INVALID: spec({
    code: 'SAFETENSORS_INVALID',
    message: (v: { reason: string; values?: Record<string, unknown> }) =>
      `invalid safetensors file: ${v.reason}`,
    hint: () =>
      'Pass the complete bytes of a .safetensors file (8-byte header size, JSON header, data).',
    values: (v) => v.values ?? {},
  }),
  SAFETENSORS_DTYPE: spec({
    code: 'SAFETENSORS_UNSUPPORTED_DTYPE',
    message: (v: { name: string; dtype: unknown; supported: readonly string[] }) =>
      `tensor "${v.name}" has dtype ${JSON.stringify(v.dtype)}, which is not supported`,
    hint: (v) =>
      `Convert it to one of ${v.supported.join(', ')} before saving (e.g. tensor.float()).`,
    values: ({ name, dtype }) => ({ name, dtype }),
  }),
  SAFETENSORS_INT_RANGE: spec({
    code: 'SAFETENSORS_UNSUPPORTED_DTYPE',
    message: (v: { name: string; value: number }) =>
      `tensor "${v.name}" holds ${v.value}, which does not fit in int32 (the integer type of tfjs)`,
    hint: () => 'Store it as a float tensor instead.',
  }),
  SAFETENSORS_FLOAT_RANGE: spec({
    code: 'SAFETENSORS_UNSUPPORTED_DTYPE',
    message: (v: { name: string; value: number; index: number }) =>
      `tensor "${v.name}" holds ${v.value} at index ${v.index}, which does not fit in float32 (the float type of tfjs) and would become ${v.value > 0 ? 'Infinity' : '-Infinity'}`,
    hint: () =>
      'Rescale or clip the values before saving (every finite F64 value must lie within ±3.4e38), or save the tensor as F32 to see where it overflows.',
  }),
  SAFETENSORS_EXPORT_DTYPE: spec({
    code: 'SAFETENSORS_UNSUPPORTED_DTYPE',
    message: (v: { name: string; dtype: string }) =>
      `tensor "${v.name}" has dtype ${v.dtype}, which safetensors export does not support`,
    hint: () => 'Cast it to float32 or int32 first.',
  }),
  SAFETENSORS_METADATA: spec({
    code: 'INVALID_ARGUMENT',
    message: (v: { key: string; type: string }) =>
      `metadata "${v.key}" must be a string, got ${v.type}`,
    hint: () =>
      'Safetensors metadata maps strings to strings; use String(value) or JSON.stringify.',
    values: (v) => ({ key: v.key }),
  }),
}

/** A key of {@link layersMessages}. */
export type LayersMessageKey = keyof typeof layersMessages

/** The values a message is built from. */
export type LayersMessageValues<K extends LayersMessageKey> =
  (typeof layersMessages)[K] extends MessageSpec<infer V> ? V : never

/** Code, message, hint and public values of a message of {@link layersMessages}. */
export function layersMessage<K extends LayersMessageKey>(
  key: K,
  values: LayersMessageValues<K>,
): { code: LayersErrorCode; message: string; hint: string; values: Record<string, unknown> } {
  const s = layersMessages[key] as MessageSpec<LayersMessageValues<K>>
  return {
    code: s.code,
    message: s.message(values),
    hint: s.hint(values),
    values: s.values ? s.values(values) : { ...(values as Record<string, unknown>) },
  }
}

/** The {@link LayersError} for a message of {@link layersMessages}, built from its values. */
export function layersError<K extends LayersMessageKey>(
  key: K,
  values: LayersMessageValues<K>,
): LayersError {
  const m = layersMessage(key, values)
  return new LayersError(m.code, m.message, { values: m.values, hint: m.hint })
}

/** Throws `INVALID_ARGUMENT` unless `value` is an integer within [min, max]. */
export function checkInt(
  owner: string,
  name: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw layersError('INT_ARGUMENT', { owner, name, value, min, max })
  }
  return value
}

/** Throws `INVALID_ARGUMENT` unless `value` is a finite number within [min, max]. */
export function checkNumber(
  owner: string,
  name: string,
  value: unknown,
  min: number,
  max: number,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw layersError('NUMBER_ARGUMENT', { owner, name, value, min, max })
  }
  return value
}
