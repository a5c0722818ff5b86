// The Node sections of `pnpm bench`: wasm against model.fit and PyTorch, the networks, and cpu.
import { join } from 'node:path'
import { describeRun, type Runner, worstRelative } from './alternation'
import { LineWorker } from './LineWorker'
import { networkNodeSection } from './networks'
import { mnistDir } from './node/lesson'
import type { StepProfile } from './profile'
import type { EngineName, Platform, RunResult } from './protocol'
import {
  alternate,
  benchDir,
  compare,
  config,
  ctx,
  here,
  log,
  nodeWorker,
  python,
  ratioTargets,
  results,
  skip,
  torchAvailable,
  torchTarget,
  withWorker,
} from './run'
import { median, summarize } from './stats'

// Node (wasm) against PyTorch on the same machine.

/** Node wasm against model.fit and PyTorch; the parity and accuracy checks; step profiles. */
export async function nodeSection(): Promise<void> {
  const tl = nodeWorker('wasm', 'tensorloom')
  const fit = nodeWorker('wasm', 'tfjs-fit')
  const torch = torchAvailable()
    ? new LineWorker('torch', python, [join(here, 'torch/worker.py'), mnistDir], benchDir)
    : null
  try {
    await Promise.all([tl.ready(), fit.ready()])
    if (torch) {
      const info = await torch.ready()
      results.notes.push(
        `PyTorch ${String(info.torch)} ran with ${String(info.threads)} thread(s).`,
      )
    }
    const runner = (
      worker: LineWorker,
      platform: Platform,
      backend: string,
      engine: EngineName,
    ): Runner => ({ platform, backend, engine, run: (r) => worker.request<RunResult>(r) })
    const runners: Runner[] = [
      runner(tl, 'node', 'wasm', 'tensorloom'),
      runner(fit, 'node', 'wasm', 'tfjs-fit'),
    ]
    if (torch) {
      runners.push(runner(torch, 'python', 'torch', 'torch-pipeline'))
      runners.push(runner(torch, 'python', 'torch', 'torch-resident'))
    }
    const parity = await tl.request<{ reference: number[]; fast: number[] }>({
      parity: config.paritySteps,
    })
    results.parity.push({
      backend: 'node wasm',
      worstRelative: worstRelative(parity.reference, parity.fast),
      steps: config.paritySteps,
    })
    for (const batchSize of config.batchSizes) {
      log(`Node wasm${torch ? ' and PyTorch' : ''}, batch ${batchSize}: warm-up`)
      for (const r of runners) await r.run({ engine: r.engine, batchSize, seed: 99, steps: 10 })
      const steps = config.nodeSteps[batchSize]
      const runs = await alternate(runners, batchSize, steps ? { steps } : {}, batchSize === 64)
      const [tlRuns, fitRuns, pipeRuns, residentRuns] = runners.map((r) => runs.get(r)!)
      const vsFit = compare(
        'node',
        'wasm',
        batchSize,
        ['tensorloom', tlRuns!],
        ['tfjs-fit', fitRuns!],
      )
      if (batchSize === 64) ratioTargets.node = vsFit
      if (pipeRuns && residentRuns) {
        const vsPipe = compare(
          'node',
          'wasm vs torch',
          batchSize,
          ['tensorloom', tlRuns!],
          ['torch-pipeline', pipeRuns],
        )
        compare(
          'node',
          'wasm vs torch',
          batchSize,
          ['tensorloom', tlRuns!],
          ['torch-resident', residentRuns],
        )
        if (batchSize === 64) {
          torchTarget.pipeline = 1 / vsPipe.ratio
          torchTarget.detail = `Tensorloom ${median(tlRuns!.map((r) => (r.seconds * 60_000) / r.samples)).toFixed(2)} s/epoch vs PyTorch DataLoader pipeline ${median(pipeRuns.map((r) => (r.seconds * 60_000) / r.samples)).toFixed(2)} s/epoch (medians; ratio = median of per-round ratios${vsPipe.cpuRatio ? `; CPU-time ratio ${(1 / vsPipe.cpuRatio).toFixed(2)}` : ''})`
        }
      }
    }
    // Accuracy: the fast path against the reference path, same seed, same batches.
    if (!skip.has('accuracy')) {
      log('Node wasm: reference path for the accuracy check')
      const steps = config.accuracySteps
      const reference = await tl.request<RunResult>({
        engine: 'tensorloom-reference',
        batchSize: 64,
        seed: 0,
        evaluate: true,
        ...(steps ? { steps } : {}),
      })
      log(`  node wasm tensorloom-reference b64: ${describeRun(reference)}`)
      results.measurements.push(summarize('node', 'wasm', 'tensorloom-reference', 64, [reference]))
      const fastRun = results.measurements.find(
        (m) => m.platform === 'node' && m.engine === 'tensorloom' && m.batchSize === 64,
      )
      results.accuracy = {
        fast: fastRun?.testAccuracy ?? null,
        reference: reference.testAccuracy,
        steps: steps ?? 'epoch',
      }
    }
    if (!skip.has('profile')) {
      log('Node wasm: tf.profile of one step per engine')
      for (const engine of ['tensorloom', 'tensorloom-reference'] as const) {
        results.profiles[`node wasm ${engine}`] = await tl.request<StepProfile>({ profile: engine })
      }
      results.profiles['node wasm tfjs-fit'] = await fit.request<StepProfile>({
        profile: 'tfjs-fit',
      })
    }
  } finally {
    await Promise.all([tl.close(), fit.close(), torch?.close()])
  }
}

// ---------------------------------------------------------------------------------------------
// Networks (src/networks.ts): residualMlp, smallCnn, smallResNet on Node wasm against model.fit
// and PyTorch; their Chromium rows run in the browser section.

/** The networks of src/networks.ts on Node wasm. */
export async function networksNodeSection(): Promise<void> {
  const tl = nodeWorker('wasm', 'tensorloom')
  const fit = nodeWorker('wasm', 'tfjs-fit')
  const torch = torchAvailable()
    ? new LineWorker('torch', python, [join(here, 'torch/worker.py'), mnistDir], benchDir)
    : null
  try {
    await Promise.all([tl.ready(), fit.ready(), torch?.ready()])
    await networkNodeSection(
      ctx,
      config,
      { tensorloom: tl, fit, torch },
      { accuracy: !skip.has('accuracy') },
    )
  } finally {
    await Promise.all([tl.close(), fit.close(), torch?.close()])
  }
}

// ---------------------------------------------------------------------------------------------
// Node cpu (pure JavaScript): short runs, extrapolated.

/** Node cpu against model.fit. */
export async function cpuSection(): Promise<void> {
  const tl = nodeWorker('cpu', 'tensorloom')
  const fit = nodeWorker('cpu', 'tfjs-fit')
  await withWorker(tl, () =>
    withWorker(fit, async () => {
      const parity = await tl.request<{ reference: number[]; fast: number[] }>({
        parity: config.paritySteps,
      })
      results.parity.push({
        backend: 'node cpu',
        worstRelative: worstRelative(parity.reference, parity.fast),
        steps: config.paritySteps,
      })
      const runners: Runner[] = [
        { platform: 'node', backend: 'cpu', engine: 'tensorloom', run: (r) => tl.request(r) },
        { platform: 'node', backend: 'cpu', engine: 'tfjs-fit', run: (r) => fit.request(r) },
      ]
      log(`Node cpu, batch 64 (${config.cpuSteps} batches per run, extrapolated): warm-up`)
      for (const r of runners) await r.run({ engine: r.engine, batchSize: 64, seed: 99, steps: 3 })
      const runs = await alternate(runners, 64, { steps: config.cpuSteps })
      compare(
        'node',
        'cpu',
        64,
        ['tensorloom', runs.get(runners[0]!)!],
        ['tfjs-fit', runs.get(runners[1]!)!],
      )
    }),
  )
}
