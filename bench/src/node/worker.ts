// A long-lived benchmark worker: one tfjs backend, one engine, one process (so peak memory is the
// engine's own). Reads one JSON RunRequest per line on stdin, answers one JSON line on stdout.
// Started by src/main.ts as: tsx worker.ts <backend> <engine>
import { createInterface } from 'node:readline'
import * as tf from '@tensorflow/tfjs-core'
import { setCpuClock } from '../engines/cpuClock'
import type { EngineName, NetworkName, RunRequest, RunResult } from '../protocol'
import { mnistDir } from './lesson'

const [backend = 'wasm', engine = 'tensorloom'] = process.argv.slice(2) as [string, EngineName]

// tfjs prints a hint about tfjs-node on the first op in Node; keep stdout for the protocol.
const log = console.log
console.log = (...args: unknown[]) => console.error(...args)

if (engine === 'tfjs-fit') await import('@tensorflow/tfjs')
await import('@tensorflow/tfjs-backend-cpu')
await import('@tensorflow/tfjs-backend-wasm')
if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) {
  throw new Error(`backend ${backend} is not available (got ${tf.getBackend()})`)
}
await tf.ready()
setCpuClock(async () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
})

async function run(request: RunRequest): Promise<RunResult> {
  const fit = request.engine === 'tfjs-fit'
  const result = request.network
    ? fit
      ? await (await import('../engines/fitGraph')).runFitNetwork(mnistDir, request)
      : await (await import('../engines/network')).runNetwork(mnistDir, request)
    : fit
      ? await (await import('../engines/fit')).runFit(mnistDir, request)
      : await (await import('../engines/tensorloom')).runTensorloom(mnistDir, request)
  return { ...result, peakRssMB: process.resourceUsage().maxRSS / 1024 }
}

log(JSON.stringify({ ready: true, backend: tf.getBackend(), engine }))
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue
  const request = JSON.parse(line) as RunRequest & {
    quit?: boolean
    parity?: number
    networkParity?: { network: NetworkName; steps: number }
    profile?: 'tensorloom' | 'tensorloom-reference' | 'tfjs-fit'
  }
  if (request.quit) break
  try {
    if (request.networkParity) {
      const { networkParity } = await import('../engines/network')
      const { network, steps } = request.networkParity
      log(JSON.stringify(await networkParity(mnistDir, network, steps)))
    } else if (request.parity) {
      const { parityLosses } = await import('../engines/tensorloom')
      log(JSON.stringify(await parityLosses(mnistDir, request.parity)))
    } else if (request.profile) {
      const profile =
        request.profile === 'tfjs-fit'
          ? await (await import('../engines/fit')).profileFit(mnistDir)
          : await (await import('../engines/tensorloom')).profileTensorloom(
              mnistDir,
              request.profile,
            )
      log(JSON.stringify(profile))
    } else {
      log(JSON.stringify(await run(request)))
    }
  } catch (error) {
    log(
      JSON.stringify({
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    )
  }
}
process.exit(0)
