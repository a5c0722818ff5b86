/**
 * Stable error codes of `@tensorloom/train`. Every {@link TrainError} carries one of these, the
 * offending values, and a hint that says how to fix the problem.
 */
export type TrainErrorCode =
  | 'INVALID_OPTION'
  | 'LOSS_SHAPE_MISMATCH'
  | 'LOSS_TARGET_DTYPE'
  | 'LOSS_TARGET_OUT_OF_BOUNDS'
  | 'LOSS_NOT_SCALAR'
  | 'NO_GRADIENTS'
  | 'OPTIMIZER_STATE_MISMATCH'
  | 'BACKEND_UNAVAILABLE'
  | 'NON_FINITE_LOSS'
  | 'TRAINER_BUSY'
  | 'TRAINER_DISPOSED'
  | 'MODEL_DISPOSED'
  | 'LISTENER_ERROR'
  | 'CHECKPOINT_MISMATCH'
  | 'BAD_BATCH'

/** An error with a stable `code`, the `values` involved and a `hint` on how to fix it. */
export class TrainError extends Error {
  /** Stable UPPER_SNAKE code; safe to switch on. */
  readonly code: TrainErrorCode
  /** The values that caused the error (option values, shapes, step numbers…). */
  readonly values: Readonly<Record<string, unknown>>
  /** How to fix it, in one sentence. Also appended to `message`. */
  readonly hint: string

  /** Inside this package, build errors with `trainError(key, values)` from {@link trainMessages}. */
  constructor(
    code: TrainErrorCode,
    problem: string,
    hint: string,
    values: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(hint ? `${problem} ${hint}` : problem, options)
    this.name = 'TrainError'
    this.code = code
    this.values = values
    this.hint = hint
  }
}

/** Formats a shape the way PyTorch prints `tensor.shape`: `[64, 10]`. */
export function formatShapeList(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`
}

/** One message of {@link trainMessages}: its public code, wording, hint and public values. */
interface MessageSpec<V> {
  code: TrainErrorCode
  message: (v: V) => string
  hint: (v: V) => string
  /** The error's public `values`; default: everything the message was built from. */
  values?: (v: V) => Record<string, unknown>
}

const spec = <V = Record<string, never>>(s: MessageSpec<V>): MessageSpec<V> => s

type Shape = readonly number[]

/**
 * Every message `@tensorloom/train` throws, by key. Several keys share a public code (many
 * mistakes are an `INVALID_OPTION`); where PyTorch raises an error for the same mistake, the
 * message is PyTorch's wording. `values` picks what the error exposes when the message also needs
 * context (the loss's name, the global step).
 */
export const trainMessages = {
  // Trainer options
  TRAINER_OPTIONS: spec({
    code: 'INVALID_OPTION',
    message: (v: { got: string }) =>
      `Trainer: options must be an object with model, optimizer and trainLoader, got ${v.got}.`,
    hint: () => 'Pass e.g. new Trainer({ model, optimizer, trainLoader, testLoader, epochs: 5 }).',
    values: () => ({ option: 'options' }),
  }),
  TRAINER_MODEL: spec({
    code: 'INVALID_OPTION',
    message: () => 'Trainer: model must be a Module.',
    hint: () => 'Pass a Module from @tensorloom/layers.',
    values: () => ({ option: 'model' }),
  }),
  TRAINER_OPTIMIZER: spec({
    code: 'INVALID_OPTION',
    message: () => 'Trainer: optimizer is missing.',
    hint: () => 'Pass e.g. new Adam(model.parameters()).',
    values: () => ({ option: 'optimizer' }),
  }),
  TRAINER_LOADER: spec({
    code: 'INVALID_OPTION',
    message: () => 'Trainer: trainLoader must be an async iterable of [input, target] batches.',
    hint: () => 'Pass a DataLoader from @tensorloom/data.',
    values: () => ({ option: 'trainLoader' }),
  }),
  TRAINER_SYNC_EVERY: spec({
    code: 'INVALID_OPTION',
    message: (v: { value: number }) =>
      `Trainer: syncEvery must be a positive integer, got ${v.value}.`,
    hint: () => 'Use e.g. 20.',
    values: (v) => ({ option: 'syncEvery', value: v.value }),
  }),
  TRAINER_EPOCHS: spec({
    code: 'INVALID_OPTION',
    message: (v: { value: number }) =>
      `Trainer: epochs must be a positive integer, got ${v.value}.`,
    hint: () => 'Use e.g. epochs: 5.',
    values: (v) => ({ option: 'epochs', value: v.value }),
  }),
  TRAINER_ENGINE: spec({
    code: 'INVALID_OPTION',
    message: (v: { value: unknown }) =>
      `Trainer: engine must be 'auto', 'fast' or 'reference', got ${String(v.value)}.`,
    hint: () => "Leave it out ('auto'), or pass 'reference' to train through tfjs' gradient tape.",
    values: (v) => ({ option: 'engine', value: v.value }),
  }),
  TRAINER_FAST_UNSUPPORTED: spec({
    code: 'INVALID_OPTION',
    message: (v: { reason: string }) =>
      `Trainer: the fast engine cannot train this setup: ${v.reason}.`,
    hint: () => "Use engine: 'auto' or 'reference', which train any model.",
    values: (v) => ({ option: 'engine', reason: v.reason }),
  }),
  FIT_MAX_STEPS: spec({
    code: 'INVALID_OPTION',
    message: (v: { value: number }) =>
      `Trainer.fit: maxSteps must be a positive integer, got ${v.value}.`,
    hint: () => 'Use e.g. maxSteps: 200, or leave it out to train every epoch.',
    values: (v) => ({ option: 'maxSteps', value: v.value }),
  }),
  FIT_EMPTY_LOADER: spec({
    code: 'INVALID_OPTION',
    message: () =>
      'Trainer.fit: the training loader has no batches: its dataset is empty (or dropLast drops its only, smaller batch).',
    hint: () =>
      'Check the training data: a split with 0 samples cannot train a model, and nothing would be learned.',
    values: () => ({ option: 'trainLoader', batches: 0 }),
  }),
  EVALUATE_NO_LOADER: spec({
    code: 'INVALID_OPTION',
    message: () => 'Trainer.evaluate: no loader given and no testLoader configured.',
    hint: () => 'Pass a DataLoader, or a testLoader to the Trainer.',
    values: () => ({ option: 'loader' }),
  }),

  // Trainer lifecycle
  FIT_BUSY: spec({
    code: 'TRAINER_BUSY',
    message: () => 'Trainer.fit: training is already running.',
    hint: () => 'Await the running fit() (or abort it) before starting another.',
  }),
  EVALUATE_BUSY: spec({
    code: 'TRAINER_BUSY',
    message: () => 'Trainer.evaluate: training is running.',
    hint: () =>
      'Wait for fit() to finish (it evaluates after every epoch), or pause and abort it first.',
  }),
  LOAD_CHECKPOINT_BUSY: spec({
    code: 'TRAINER_BUSY',
    message: () => 'Trainer.loadCheckpoint: training is running.',
    hint: () => 'Abort or await fit() first.',
  }),
  TRAINER_DISPOSED: spec({
    code: 'TRAINER_DISPOSED',
    message: () => 'This Trainer has been disposed.',
    hint: () => 'Create a new Trainer.',
  }),
  MODEL_DISPOSED: spec({
    code: 'MODEL_DISPOSED',
    message: (v: { epoch: number; step: number }) =>
      `The model was disposed while training (epoch ${v.epoch}, step ${v.step}); training stopped.`,
    hint: () => 'Dispose the model only after fit() settles: abort it and await it first.',
  }),
  LISTENER_THREW: spec({
    code: 'LISTENER_ERROR',
    message: (v: { epoch: number; step: number; message: string }) =>
      `A subscriber of the Trainer threw (${v.message}) at epoch ${v.epoch}, step ${v.step}; training stopped there.`,
    hint: () =>
      'Fix the listener passed to trainer.subscribe(): it must not throw. fit() can continue from here.',
    values: ({ epoch, step }) => ({ epoch, step }),
  }),
  NON_FINITE_LOSS: spec({
    code: 'NON_FINITE_LOSS',
    message: (v: {
      epoch: number
      step: number
      globalStep: number
      loss: number
      lr: number | undefined
    }) =>
      `The loss became ${Number.isNaN(v.loss) ? 'NaN' : v.loss > 0 ? 'Infinity' : '-Infinity'} at epoch ${v.epoch}, step ${v.step} (global step ${v.globalStep}); training stopped and the model keeps its last weights that gave a finite loss.`,
    hint: ({ lr }) =>
      `The learning rate may be too high${lr !== undefined ? ` (lr = ${lr})` : ''}: try a smaller one${lr !== undefined ? `, e.g. ${lr / 10}` : ''}, and check the data for NaN values.`,
    values: ({ epoch, step, loss, lr }) => ({ epoch, step, loss, lr }),
  }),

  // Checkpoints
  CHECKPOINT_FORMAT: spec({
    code: 'CHECKPOINT_MISMATCH',
    message: (_v: { format: unknown; version: unknown }) =>
      'Trainer.loadCheckpoint: not a Tensorloom checkpoint (version 1).',
    hint: () => 'Pass an object from trainer.checkpoint() or decodeCheckpoint().',
  }),
  CHECKPOINT_STEPS: spec({
    code: 'CHECKPOINT_MISMATCH',
    message: (v: { saved: number; current: number }) =>
      `Trainer.loadCheckpoint: the checkpoint was saved with ${v.saved} batches per epoch, this training loader has ${v.current}.`,
    hint: () => 'Resume with the same dataset and batch size.',
  }),
  CHECKPOINT_OPTIMIZER: spec({
    code: 'CHECKPOINT_MISMATCH',
    message: (v: { saved: string; current: string }) =>
      `Trainer.loadCheckpoint: the checkpoint holds ${v.saved} state, the trainer uses ${v.current}.`,
    hint: (v) => `Create the trainer with a ${v.saved} optimizer.`,
  }),
  CHECKPOINT_BYTES: spec({
    code: 'CHECKPOINT_MISMATCH',
    message: (v: { reason: string }) => `Not a Tensorloom checkpoint: ${v.reason}.`,
    hint: () => 'Pass the bytes written by encodeCheckpoint().',
  }),

  // The fast engine
  FAST_UNSUPPORTED: spec({
    code: 'INVALID_OPTION',
    message: (v: { reason: string }) =>
      `The fast training path cannot train this setup: ${v.reason}.`,
    hint: () => "Use engine: 'reference', which trains any model.",
  }),
  FAST_DISPOSED: spec({
    code: 'TRAINER_DISPOSED',
    message: () => 'This FastEngine has been disposed.',
    hint: () => 'Create a new one with FastEngine.create().',
  }),

  // Losses
  LOSS_REDUCTION: spec({
    code: 'INVALID_OPTION',
    message: (v: { lossName: string; value: unknown }) =>
      `${v.lossName}: ${String(v.value)} is not a valid value for reduction.`,
    hint: () => "Use 'mean', 'sum' or 'none'.",
    values: (v) => ({ option: 'reduction', value: v.value }),
  }),
  LOSS_LABEL_SMOOTHING: spec({
    code: 'INVALID_OPTION',
    message: (v: { lossName: string; value: unknown }) =>
      `${v.lossName}: label_smoothing must be between 0.0 and 1.0. Got: ${String(v.value)}`,
    hint: () => 'Use 0 for none; 0.1 is a common choice.',
    values: (v) => ({ option: 'labelSmoothing', value: v.value }),
  }),
  LOSS_WEIGHT: spec({
    code: 'INVALID_OPTION',
    message: (v: { lossName: string; value: unknown }) =>
      `${v.lossName}: weight must be an array of finite numbers, one per class.`,
    hint: () => 'Pass e.g. { weight: [1, 2, 1] } for 3 classes, or leave it out for equal weights.',
    values: (v) => ({ option: 'weight', value: v.value }),
  }),
  LOSS_WEIGHT_LENGTH: spec({
    code: 'INVALID_OPTION',
    message: (v: { lossName: string; weightLength: number; numClasses: number }) =>
      `${v.lossName}: weight has ${v.weightLength} entries but the input has ${v.numClasses} classes.`,
    hint: (v) => `Pass one weight per class (${v.numClasses}).`,
    values: ({ weightLength, numClasses }) => ({ weightLength, numClasses }),
  }),
  LOSS_IGNORE_INDEX: spec({
    code: 'INVALID_OPTION',
    message: (v: { lossName: string; value: unknown }) =>
      `${v.lossName}: ignoreIndex must be an integer, got ${String(v.value)}.`,
    hint: () => 'Leave it out (PyTorch default -100) or pass the class index to ignore.',
    values: (v) => ({ option: 'ignoreIndex', value: v.value }),
  }),
  LOSS_SCALAR_INPUT: spec({
    code: 'LOSS_SHAPE_MISMATCH',
    message: (v: { lossName: string; inputShape: Shape }) =>
      `${v.lossName}: input must have a class dimension, got a scalar.`,
    hint: () => 'Pass scores shaped [batch, classes] (the output of the last Linear layer).',
    values: ({ inputShape }) => ({ inputShape }),
  }),
  LOSS_TARGET_DTYPE: spec({
    code: 'LOSS_TARGET_DTYPE',
    message: (v: {
      lossName: string
      /** Whether class probabilities (float32, shaped like the input) are accepted too. */
      allowProbabilities: boolean
      outShape: Shape
      targetDtype: string
      targetShape: Shape
      inputShape: Shape
    }) =>
      `${v.lossName}: expected class indices as an int32 tensor shaped ${formatShapeList(v.outShape)}${v.allowProbabilities ? `, or class probabilities (float32) shaped like the input ${formatShapeList(v.inputShape)}` : ''}, got a ${v.targetDtype} tensor shaped ${formatShapeList(v.targetShape)}.`,
    hint: () =>
      "Labels must be integer class indices: create them with tf.tensor1d(labels, 'int32') (PyTorch's torch.long).",
    values: ({ targetDtype, targetShape, inputShape }) => ({
      targetDtype,
      targetShape,
      inputShape,
    }),
  }),
  LOSS_BATCH_SIZE: spec({
    code: 'LOSS_SHAPE_MISMATCH',
    message: (v: { inputShape: Shape; targetShape: Shape }) =>
      `Expected input batch_size (${v.inputShape[0]}) to match target batch_size (${v.targetShape.length === 0 ? 1 : v.targetShape[0]}).`,
    hint: () => 'Pass one label per sample: the labels of the same batch as the input.',
  }),
  LOSS_TARGET_SIZE: spec({
    code: 'LOSS_SHAPE_MISMATCH',
    message: (v: { lossName: string; expected: Shape; inputShape: Shape; targetShape: Shape }) =>
      `${v.lossName}: Expected target size ${formatShapeList(v.expected)}, got ${formatShapeList(v.targetShape)}.`,
    hint: (v) =>
      `Input ${formatShapeList(v.inputShape)} has its classes in dimension ${v.inputShape.length === 1 ? 0 : 1}; the target holds one class index per remaining position.`,
    values: ({ inputShape, targetShape }) => ({ inputShape, targetShape }),
  }),
  LOSS_TARGET_OUT_OF_BOUNDS: spec({
    code: 'LOSS_TARGET_OUT_OF_BOUNDS',
    message: (v: { lossName: string; target: number; numClasses: number }) =>
      `${v.lossName}: Target ${v.target} is out of bounds.`,
    hint: ({ target, numClasses }) =>
      `Class indices must lie in [0, ${numClasses - 1}] for ${numClasses} scores per sample: make the last layer output one score per class (e.g. Linear(…, ${Math.max(numClasses, target + 1)})).`,
    values: ({ target, numClasses }) => ({ target, numClasses }),
  }),
  MSE_SHAPE_MISMATCH: spec({
    code: 'LOSS_SHAPE_MISMATCH',
    message: (v: { inputShape: Shape; targetShape: Shape }) =>
      `MSELoss: Using a target size (${formatShapeList(v.targetShape)}) that is different to the input size (${formatShapeList(v.inputShape)}).`,
    hint: () =>
      'Reshape the target (or the input) so both have the same shape, e.g. target.reshape(input.shape).',
  }),

  // Settings and backends
  UNKNOWN_LOSS: spec({
    code: 'INVALID_OPTION',
    message: (v: { value: unknown; known: readonly string[] }) =>
      `Unknown loss type ${String(v.value)}.`,
    hint: (v) => `Use ${v.known.slice(0, -1).join(', ')} or ${v.known.at(-1)}.`,
    values: (v) => ({ option: 'type', value: v.value }),
  }),
  UNKNOWN_OPTIMIZER: spec({
    code: 'INVALID_OPTION',
    message: (v: { value: unknown }) => `Unknown optimizer ${String(v.value)}.`,
    hint: () => 'Use SGD, Adam or AdamW.',
    values: (v) => ({ option: 'optimizer', value: v.value }),
  }),
  BACKEND_UNAVAILABLE: spec({
    code: 'BACKEND_UNAVAILABLE',
    message: (v: { tried: ReadonlyArray<{ name: string; error: string | null }> }) =>
      `No tfjs backend works: ${v.tried.map((t) => `${t.name} ${t.error}`).join('; ')}.`,
    hint: () => "Import a backend before training, e.g. import '@tensorflow/tfjs-backend-cpu'.",
  }),
}

/** A key of {@link trainMessages}. */
export type TrainMessageKey = keyof typeof trainMessages

/** The values a message is built from. */
export type TrainMessageValues<K extends TrainMessageKey> =
  (typeof trainMessages)[K] extends MessageSpec<infer V> ? V : never

/**
 * The {@link TrainError} for a message of {@link trainMessages}, built from its values (which
 * can be left out when the message needs none).
 */
export function trainError<K extends TrainMessageKey>(
  key: K,
  ...[values]: Record<string, never> extends TrainMessageValues<K>
    ? [values?: TrainMessageValues<K>]
    : [values: TrainMessageValues<K>]
): TrainError {
  const s = trainMessages[key] as MessageSpec<TrainMessageValues<K>>
  const v = (values ?? {}) as TrainMessageValues<K>
  const exposed = s.values ? s.values(v) : { ...(v as Record<string, unknown>) }
  return new TrainError(s.code, s.message(v), s.hint(v), exposed)
}
