// `tsx src/webglLab.ts [lab|compare] [reps|rounds]`: the WebGL lab, in headless Chromium's webgl
// backend (SwiftShader here). `lab`: single programs of a training step timed in isolation, with
// candidate shaders. `compare`: loss parity, then Tensorloom's Trainer against model.fit,
// alternated (a quick look; `pnpm bench` is the measurement of record).
import { ChromiumBench } from './browser/chromium'
import type { LabRow } from './browser/webglTiming'
import type { RunRequest, RunResult } from './protocol'

const [mode = 'lab', count = mode === 'lab' ? '30' : '3', steps = '40'] = process.argv.slice(2)
const browser = await ChromiumBench.launch()
try {
  const { page } = await browser.open({
    name: 'webgl',
    backend: 'webgl',
    isolated: false,
    threads: null,
  })
  if (mode === 'lab' || mode === 'step') {
    const fn = mode === 'lab' ? 'lab' : 'stepLab'
    const rows = (await page.evaluate(`bench.${fn}(${Number(count)})`)) as LabRow[]
    console.log('  wall ms    CPU ms')
    for (const r of rows) {
      const cpu = r.cpuMs === undefined ? '' : r.cpuMs.toFixed(2)
      console.log(`${r.ms.toFixed(3).padStart(9)} ${cpu.padStart(9)}  ${r.name}`)
    }
  } else {
    const parity = (await page.evaluate('bench.parity(20)')) as {
      reference: number[]
      fast: number[]
    }
    const worst = Math.max(
      ...parity.reference.map((v, i) => Math.abs(v - parity.fast[i]!) / Math.abs(v)),
    )
    console.log(`parity: worst relative loss difference over 20 steps ${worst.toExponential(2)}`)
    const run = (engine: RunRequest['engine'], seed: number, n: number, warmup: number) =>
      ChromiumBench.run(page, { engine, batchSize: 64, seed, steps: n, warmupSteps: warmup })
    await run('tensorloom', 99, 3, 2)
    await run('tfjs-fit', 99, 3, 2)
    const ratios: number[] = []
    for (let round = 0; round < Number(count); round++) {
      const order = round % 2 === 0 ? ['tensorloom', 'tfjs-fit'] : ['tfjs-fit', 'tensorloom']
      const rates: Record<string, number> = {}
      const cpu: Record<string, number> = {}
      for (const engine of order as RunRequest['engine'][]) {
        const r: RunResult = await run(engine, round, Number(steps), 10)
        rates[engine] = r.samples / r.seconds
        cpu[engine] = ((r.cpuSeconds ?? Number.NaN) / r.steps) * 1000
      }
      const ratio = rates.tensorloom! / rates['tfjs-fit']!
      ratios.push(ratio)
      const ms = (e: string) => ((64 / rates[e]!) * 1000).toFixed(1)
      console.log(
        `round ${round}: tensorloom ${Math.round(rates.tensorloom!)} samples/s (${ms('tensorloom')} ms/step, CPU ${cpu.tensorloom!.toFixed(1)} ms/step), tfjs-fit ${Math.round(rates['tfjs-fit']!)} (${ms('tfjs-fit')} ms/step, CPU ${cpu['tfjs-fit']!.toFixed(1)}): ${ratio.toFixed(2)}x wall, ${(cpu['tfjs-fit']! / cpu.tensorloom!).toFixed(2)}x CPU`,
      )
    }
    ratios.sort((a, b) => a - b)
    console.log(`median ratio ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}x`)
  }
} finally {
  await browser.close()
}
