import { escapeControl } from './escape.js'

/**
 * Every message the `tensorloom` command prints about what it did or what went wrong, keyed by a
 * stable code (the convention of graph's `errorMessages`, layers' `layersMessages` and train's
 * `trainMessages`). Build them with {@link cliMessage}, which escapes the control characters of
 * every value first: document names, node ids, paths and error texts come from outside.
 */
export const cliMessages = {
  // Wrong usage (exit code 2); main.ts appends the usage text.
  USAGE: (v: { problem: string }) => `tensorloom: ${v.problem}`,
  CHECK_NEEDS_FILE: () => 'check needs a graph file',
  EXPORT_NEEDS_FILE: () => 'export needs a graph file',
  EXPORT_NEEDS_TARGET: () => 'export needs --to pytorch or --to typescript',
  UNKNOWN_TARGET: (v: { to: string }) =>
    `unknown export target "${v.to}": use pytorch or typescript`,
  UNKNOWN_TEMPLATE: (v: { template: string; names: readonly string[] }) =>
    `unknown template "${v.template}": use ${v.names.join(', ')}`,
  TRAIN_NEEDS_FILE: () => 'train needs a graph file',
  NOT_A_COUNT: (v: { option: string; value: string }) =>
    `--${v.option} must be a positive integer, got "${v.value}"`,
  TOO_MANY: (v: { option: string; value: number; max: number }) =>
    `--${v.option} ${v.value} is more than ${v.max}, the most a graph's training settings allow; use at most ${v.max}`,
  UNEXPECTED_ARGUMENT: (v: { argument: string }) => `unexpected argument "${v.argument}"`,
  UNKNOWN_COMMAND: (v: { command: string }) => `unknown command "${v.command}"`,

  // Reading the graph file
  CANNOT_READ: (v: { path: string; reason: string }) =>
    `tensorloom: cannot read ${v.path}: ${v.reason}`,
  DOCUMENT_TOO_LARGE: (v: { limit: number }) =>
    `[DOCUMENT_TOO_LARGE] the file is larger than the ${v.limit.toLocaleString('en-US')}-byte limit of a graph document: is it the right file?`,
  NOT_A_FILE: (v: { kind: string }) =>
    `[NOT_A_FILE] it is ${v.kind}, not a regular file (a pipe or device may never end or block)`,
  INVALID_DOCUMENT: (v: { path: string; code: string }) =>
    `${v.path}: invalid graph document [${v.code}]`,
  DOCUMENT_PROBLEM: (v: { where: string; message: string }) =>
    `  ${v.where ? `${v.where}: ` : ''}${v.message}`,

  // Writing outputs
  WROTE_PROGRAM: (v: { path: string; language: string }) => `Wrote ${v.path} (${v.language})`,
  WROTE_TEMPLATE: (v: { path: string; template: string }) =>
    `Wrote ${v.path} (template ${v.template})`,
  WROTE_TRAINING: (v: { weights: string; history: string }) =>
    `Wrote ${v.weights} (weights, safetensors) and ${v.history} (history)`,
  CANNOT_WRITE: (v: { path: string; reason: string }) =>
    `tensorloom: cannot write ${v.path}: ${v.reason}`,
  OUTPUT_IS_INPUT: (v: { path: string }) =>
    `tensorloom: refusing to write ${v.path}: it is the input graph file, which would be lost; choose another output with -o`,
  OUTPUTS_CLASH: (v: { path: string }) =>
    `tensorloom: refusing to write the weights and the history both to ${v.path}; give --history another file`,

  // Exporting and training
  EXPORT_FAILED: (v: { path: string; message: string }) => `${v.path}: ${v.message}`,
  BACKEND: (v: { backend: string; reason: string }) => `backend: ${v.backend} (${v.reason})`,
  DATA_FAILED: (v: { where: string; message: string }) => `${v.where}: ${v.message}`,
  EMPTY_TRAINING_SET: (v: { path: string }) =>
    `${v.path}: the training split has no samples, so there is nothing to train; nothing was written`,
  TRAINING: (v: {
    name: string
    optimizer: string
    lr: number
    loss: string
    epochs: number
    batches: number
    batchSize: number
    train: number
    test: number
    /** What a sample is: `images`, `rows` (a CSV file) or `points` (Toy2D). */
    unit: string
  }) =>
    `${v.name}: ${v.optimizer}(lr=${v.lr}) ${v.loss}, ${v.epochs} epoch(s) of ${v.batches} batches of ${v.batchSize} (${v.train} training, ${v.test} test ${v.unit})`,
  TRAINING_STOPPED: () => 'training stopped; writing what was trained so far',
  TRAINING_FAILED: (v: { message: string; code: string | null }) =>
    `tensorloom: ${v.message}${v.code ? ` [${v.code}]` : ''}`,
}

/** A key of {@link cliMessages}. */
export type CliMessageKey = keyof typeof cliMessages

type Values<K extends CliMessageKey> = Parameters<(typeof cliMessages)[K]>[0]

const escapeValue = (value: unknown): unknown =>
  typeof value === 'string'
    ? escapeControl(value)
    : Array.isArray(value)
      ? value.map(escapeValue)
      : value

/** The message `key`, built from `values` with their control characters escaped. */
export function cliMessage<K extends CliMessageKey>(
  key: K,
  ...[values]: Values<K> extends undefined ? [] : [values: Values<K>]
): string {
  const escaped = Object.fromEntries(
    Object.entries((values ?? {}) as Record<string, unknown>).map(([k, v]) => [k, escapeValue(v)]),
  )
  return (cliMessages[key] as (v: unknown) => string)(escaped)
}

/** A failure the CLI reports as one line (`message`) and exit code 1. */
export class CliError extends Error {
  constructor(
    readonly key: CliMessageKey,
    message: string,
  ) {
    super(message)
    this.name = 'CliError'
  }
}
