// Long-run leak check: the lesson's network trained epoch after epoch by a Trainer, measuring
// tf.memory().numTensors and the process's memory between epochs. Used by the short CI variant
// (test/longRun.test.ts) and, run directly, by the 20-epoch check:
//
//   node scripts/reliability/long-run.mjs [--epochs 20] [--backend wasm] [--limit N]
//
// which runs this file with `node --expose-gc` and tsx on the sources.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { DataLoader } from '@tensorloom/data'
import { manualSeed } from '@tensorloom/layers'
import { Adam, CrossEntropyLoss, selectBackend, Trainer } from '../src/index'
import { loadMnist, SimpleNN } from './mnist'

/** Memory and progress after one epoch (training and evaluation done, the trainer idle). */
export interface EpochSample {
  epoch: number
  numTensors: number
  /** Bytes held by tensors, from tf.memory(). */
  tensorMiB: number
  rssMiB: number
  heapMiB: number
  seconds: number
  trainLoss: number
  testAccuracy: number | null
}

export interface LongRunOptions {
  epochs: number
  backend?: 'wasm' | 'cpu'
  /** Train on the first `trainLimit` training images only (default: all 60,000). */
  trainLimit?: number
  /** Evaluate on the first `testLimit` test images only (default: all 10,000). */
  testLimit?: number
  seed?: number
  onEpoch?: (sample: EpochSample) => void
}

export interface LongRunResult {
  backend: string
  samples: EpochSample[]
  /** numTensors before the model existed, and after everything was disposed again. */
  before: number
  after: number
}

const MiB = 1024 * 1024

function memory(): { rssMiB: number; heapMiB: number } {
  // With --expose-gc, collect first so RSS measures what is still reachable.
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const { rss, heapUsed } = process.memoryUsage()
  return { rssMiB: rss / MiB, heapMiB: heapUsed / MiB }
}

/** Trains `epochs` epochs, one `fit` at a time, sampling memory after each. */
export async function longRun(options: LongRunOptions): Promise<LongRunResult> {
  const { backend } = await selectBackend(options.backend ?? 'wasm')
  const train = await loadMnist(true, options.trainLimit)
  const test = await loadMnist(false, options.testLimit)
  const trainLoader = new DataLoader(train, {
    batchSize: 64,
    shuffle: true,
    seed: options.seed ?? 42,
  })
  const testLoader = new DataLoader(test, { batchSize: 1000, shuffle: false })
  const before = tf.memory().numTensors
  manualSeed(options.seed ?? 0)
  const model = new SimpleNN()
  const criterion = new CrossEntropyLoss()
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  const trainer = new Trainer({ model, optimizer, criterion, trainLoader, testLoader })
  const samples: EpochSample[] = []
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const start = performance.now()
      const { history } = await trainer.fit({ epochs: epoch })
      const record = history.at(-1)!
      const sample: EpochSample = {
        epoch,
        numTensors: tf.memory().numTensors,
        tensorMiB: tf.memory().numBytes / MiB,
        ...memory(),
        seconds: (performance.now() - start) / 1000,
        trainLoss: record.trainLoss,
        testAccuracy: record.testAccuracy ?? null,
      }
      samples.push(sample)
      options.onEpoch?.(sample)
    }
  } finally {
    trainer.dispose()
    optimizer.dispose()
    model.dispose()
  }
  const after = tf.memory().numTensors
  return { backend, samples, before, after }
}

/**
 * What is not flat: numTensors must be exactly the same after every epoch and back to where it
 * started once everything is disposed; RSS may not grow by more than `rssToleranceMiB` after
 * epoch 2 (the first epochs warm up allocators and the WASM heap).
 */
export function leaks(result: LongRunResult, rssToleranceMiB: number): string[] {
  const problems: string[] = []
  const [first] = result.samples
  if (!first) return ['no epoch ran']
  for (const s of result.samples) {
    if (s.numTensors !== first.numTensors) {
      problems.push(
        `numTensors ${first.numTensors} after epoch 1, ${s.numTensors} after epoch ${s.epoch}`,
      )
    }
  }
  if (result.after !== result.before) {
    problems.push(`numTensors ${result.before} before training, ${result.after} after disposing`)
  }
  const settled = result.samples.find((s) => s.epoch === 2)
  if (settled) {
    for (const s of result.samples.filter((x) => x.epoch > 2)) {
      const growth = s.rssMiB - settled.rssMiB
      if (growth > rssToleranceMiB) {
        problems.push(
          `RSS grew ${growth.toFixed(1)} MiB from epoch 2 to epoch ${s.epoch} (tolerance ${rssToleranceMiB} MiB)`,
        )
        break
      }
    }
  }
  return problems
}

/** One line per epoch, for the long-run log. */
export function formatSample(s: EpochSample, epochs: number): string {
  const acc = s.testAccuracy === null ? '' : `  test acc ${(s.testAccuracy * 100).toFixed(2)}%`
  return (
    `epoch ${String(s.epoch).padStart(2)}/${epochs}  numTensors ${s.numTensors}` +
    `  tensors ${s.tensorMiB.toFixed(2)} MiB  rss ${s.rssMiB.toFixed(1)} MiB` +
    `  heap ${s.heapMiB.toFixed(1)} MiB  loss ${s.trainLoss.toFixed(4)}${acc}  ${s.seconds.toFixed(1)} s`
  )
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      epochs: { type: 'string', default: '20' },
      backend: { type: 'string', default: 'wasm' },
      limit: { type: 'string' },
      'rss-tolerance': { type: 'string', default: '64' },
      json: { type: 'string' },
    },
  })
  const epochs = Number(values.epochs)
  const tolerance = Number(values['rss-tolerance'])
  const backend = values.backend === 'cpu' ? 'cpu' : 'wasm'
  const options: LongRunOptions = {
    epochs,
    backend,
    onEpoch: (s) => console.log(formatSample(s, epochs)),
  }
  if (values.limit) options.trainLimit = Number(values.limit)
  if (!(globalThis as { gc?: unknown }).gc) console.log('(run with --expose-gc for steadier RSS)')
  console.log(`long run: ${epochs} epochs of the lesson network on ${backend}`)
  const result = await longRun(options)
  const problems = leaks(result, tolerance)
  const first = result.samples[0]!
  const last = result.samples.at(-1)!
  console.log(
    `numTensors: ${result.before} before, ${first.numTensors} after every epoch, ${result.after} after disposing; ` +
      `RSS ${first.rssMiB.toFixed(1)} → ${last.rssMiB.toFixed(1)} MiB (backend ${result.backend})`,
  )
  for (const p of problems) console.log(`LEAK: ${p}`)
  console.log(problems.length > 0 ? 'long run: FAILED' : 'long run: flat')
  if (values.json) writeReport(values.json, result, problems, options, tolerance)
  return problems.length > 0 ? 1 : 0
}

/** The run as a vitest-style JSON report, so scripts/reliability/report.mjs lists it. */
function writeReport(
  file: string,
  result: LongRunResult,
  problems: string[],
  options: LongRunOptions,
  tolerance: number,
): void {
  const { epochs } = options
  const images = options.trainLimit
    ? `${options.trainLimit.toLocaleString('en-US')} MNIST images`
    : 'all of MNIST'
  const rss = result.samples.map((s) => s.rssMiB)
  const outcome =
    `numTensors ${result.samples[0]!.numTensors} after each of ${epochs} epochs, ` +
    `${result.before} → ${result.after} around the run; RSS ${Math.min(...rss).toFixed(0)}–` +
    `${Math.max(...rss).toFixed(0)} MiB (tolerance ${tolerance} MiB after epoch 2); ` +
    `${result.backend}, ${new Date().toISOString().slice(0, 10)}`
  const passed = problems.length === 0
  const report = {
    numPassedTests: passed ? 1 : 0,
    numFailedTests: passed ? 0 : 1,
    numPendingTests: 0,
    testResults: [
      {
        name: fileURLToPath(import.meta.url),
        assertionResults: [
          {
            ancestorTitles: ['reliability: long runs'],
            title: `${epochs} epochs of the lesson network on ${images} in Node: numTensors exactly flat, RSS flat`,
            fullName: `reliability: long runs ${epochs} epochs`,
            status: passed ? 'passed' : 'failed',
            failureMessages: problems,
            meta: { cases: epochs, outcome },
          },
        ],
      },
    ],
  }
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
