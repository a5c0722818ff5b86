// pnpm bench: the lesson's network (784-128-10) trained with Adam (lr 1e-3, batch 64) on real
// MNIST for 5 epochs, once per seed of a fixed list; prints test accuracy and samples/s after every
// epoch, then the final accuracy per seed and its median, next to PyTorch 1.13 trained from the same
// initial weights on the same shuffles when Debian's PyTorch is installed.
// Options: --epochs N (default 5), --backend wasm|cpu (default wasm), --steps N (stop each epoch
// after N batches, for a quick throughput check), --seeds 0,1,2,3,4 (each seed sets the initial
// weights, torch.manual_seed(s), and the shuffling, Generator().manual_seed(s)), --torch auto|on|off
// (default auto: on when /usr/bin/python3 imports torch), --engine auto|fast|reference, --quick (one
// epoch of seed 0 without PyTorch: a smoke run, as `pnpm bench -- --quick` asks of every bench).
// Writes bench/results/<date>-accuracy.{json,md} at the repository root for full 5-epoch runs.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { DataLoader } from '@tensorloom/data'
import { manualSeed } from '@tensorloom/layers'
import { Adam, CrossEntropyLoss, selectBackend, Trainer } from '../src/index'
import { loadMnist, mnistDir, SimpleNN } from '../test/mnist'

const TARGET = 0.975
const PYTHON = '/usr/bin/python3'

const { values } = parseArgs({
  // `pnpm bench -- --quick` passes the `--` through (pnpm 12).
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    epochs: { type: 'string', default: '5' },
    backend: { type: 'string', default: 'wasm' },
    steps: { type: 'string' },
    seeds: { type: 'string', default: '0,1,2,3,4' },
    torch: { type: 'string', default: 'auto' },
    engine: { type: 'string', default: 'auto' },
    quick: { type: 'boolean', default: false },
  },
})
const epochs = values.quick ? 1 : Number(values.epochs)
const seeds = values.quick ? [0] : values.seeds!.split(',').map(Number)
const engine = values.engine as 'auto' | 'fast' | 'reference'
const torch =
  (!values.quick && values.torch === 'on') ||
  (!values.quick &&
    values.torch === 'auto' &&
    spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0)
const selection = await selectBackend(values.backend)
console.log(`backend: ${selection.backend} (${selection.reason}); seeds ${seeds.join(', ')}`)

const train = await loadMnist(true)
const test = await loadMnist(false)
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const pct = (v: number) => `${(v * 100).toFixed(2)}%`

function limitedLoader(loader: DataLoader) {
  if (!values.steps) return loader
  const steps = Number(values.steps)
  return {
    length: Math.min(steps, loader.length),
    async *[Symbol.asyncIterator]() {
      let i = 0
      for await (const batch of loader) {
        if (i++ >= steps) {
          tf.dispose(batch)
          continue
        }
        yield batch
      }
    },
  }
}

/** Trains one seed; returns the test accuracy after every epoch. */
async function runTensorloom(seed: number): Promise<number[]> {
  const trainLoader = new DataLoader(train, { batchSize: 64, shuffle: true, seed })
  const testLoader = new DataLoader(test, { batchSize: 1000 })
  manualSeed(seed)
  const model = new SimpleNN()
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  const trainer = new Trainer({
    model,
    optimizer,
    criterion: new CrossEntropyLoss(),
    trainLoader: limitedLoader(trainLoader),
    testLoader,
    epochs,
    engine,
  })
  let printed = 0
  trainer.subscribe(({ history }) => {
    for (const h of history.slice(printed)) {
      console.log(
        `seed ${seed} epoch ${h.epoch}: train loss ${h.trainLoss.toFixed(4)}, test loss ${h.testLoss?.toFixed(4)}, ` +
          `test accuracy ${pct(h.testAccuracy ?? 0)}, ${h.seconds.toFixed(1)} s, ` +
          `${Math.round(h.samplesPerSecond)} samples/s`,
      )
    }
    printed = history.length
  })
  const { history } = await trainer.fit()
  trainer.dispose()
  optimizer.dispose()
  model.dispose()
  return history.map((h) => h.testAccuracy ?? Number.NaN)
}

/** PyTorch 1.13 from the same initial weights and shuffles (bench/torch_lesson.py). */
async function runTorch(seed: number): Promise<number[]> {
  const python = spawn(
    PYTHON,
    [
      new URL('./torch_lesson.py', import.meta.url).pathname,
      mnistDir,
      String(epochs),
      String(seed),
      String(seed),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  python.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  const code = await new Promise((resolve) => python.on('close', resolve))
  if (code !== 0) throw new Error(`torch_lesson.py exited with ${code}`)
  return out
    .trim()
    .split('\n')
    .map((line) => Number(line.split(' ')[2]))
}

const rows: Array<{ seed: number; tensorloom: number[]; torch: number[] | null }> = []
const start = performance.now()
for (const seed of seeds) {
  const ours = await runTensorloom(seed)
  const theirs = torch && !values.steps ? await runTorch(seed) : null
  rows.push({ seed, tensorloom: ours, torch: theirs })
  console.log(
    `seed ${seed}: Tensorloom ${pct(ours[ours.length - 1]!)}` +
      (theirs ? `, PyTorch ${pct(theirs[theirs.length - 1]!)}` : ''),
  )
}

const last = (xs: number[]) => xs[xs.length - 1]!
const oursFinal = rows.map((r) => last(r.tensorloom))
const torchFinal = rows.flatMap((r) => (r.torch ? [last(r.torch)] : []))
const lines = [
  `| seed | ${Array.from({ length: epochs }, (_, i) => `epoch ${i + 1}`).join(' | ')} |`,
  `| --- | ${Array.from({ length: epochs }, () => '---:').join(' | ')} |`,
  ...rows.flatMap((r) => [
    `| ${r.seed} Tensorloom | ${r.tensorloom.map(pct).join(' | ')} |`,
    ...(r.torch ? [`| ${r.seed} PyTorch | ${r.torch.map(pct).join(' | ')} |`] : []),
  ]),
]
// The target is for the lesson's 5 full epochs; shorter runs report without a verdict.
const judged = epochs === 5 && !values.steps
const status = !judged ? 'INFO' : median(oursFinal) >= TARGET ? 'PASS' : 'FAIL'
const verdict =
  `${status} ${epochs}-epoch test accuracy, median of ${seeds.length} seeds: Tensorloom ${pct(median(oursFinal))} ` +
  `(range ${pct(Math.min(...oursFinal))}–${pct(Math.max(...oursFinal))}` +
  `${judged ? `; target >= ${pct(TARGET)}` : `; the ${pct(TARGET)} target is for 5 full epochs`})` +
  (torchFinal.length > 0
    ? `; PyTorch 1.13 from the same weights and shuffles ${pct(median(torchFinal))} (range ${pct(Math.min(...torchFinal))}–${pct(Math.max(...torchFinal))})`
    : '')
console.log(`\n${lines.join('\n')}\n\n${verdict}`)
console.log(`total ${((performance.now() - start) / 1000).toFixed(1)} s`)

if (judged) {
  const date = new Date().toISOString().slice(0, 10)
  const dir = new URL('../../../bench/results/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  const record = { date, backend: selection.backend, engine, epochs, seeds, rows, verdict }
  writeFileSync(new URL(`${date}-accuracy.json`, dir), `${JSON.stringify(record, null, 1)}\n`)
  writeFileSync(
    new URL(`${date}-accuracy.md`, dir),
    [
      `# Tensorloom accuracy — ${date}`,
      '',
      `The lesson's network (784-128-10), Adam lr 1e-3, batch 64, ${epochs} epochs on real MNIST, ` +
        `test accuracy on the 10,000 test images after each epoch; backend ${selection.backend}, engine ${engine}. ` +
        'Each seed sets the initial weights and the shuffling, identically for PyTorch 1.13 ' +
        '(`packages/train/bench/mnist.ts`, `pnpm bench` in packages/train).',
      '',
      '```',
      verdict,
      '```',
      '',
      ...lines,
      '',
    ].join('\n'),
  )
  console.log(`wrote bench/results/${date}-accuracy.json and .md`)
}
