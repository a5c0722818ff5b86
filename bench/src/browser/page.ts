// The benchmark page, bundled by server.ts and driven by chromium.ts through `window.bench`.
import * as tf from '@tensorflow/tfjs'
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { setCpuClock } from '../engines/cpuClock'
import { profileFit, runFit } from '../engines/fit'
import { runFitNetwork } from '../engines/fitGraph'
import { runNetwork } from '../engines/network'
import { parityLosses, profileTensorloom, runTensorloom } from '../engines/tensorloom'
import type { StepProfile } from '../profile'
import type { RunRequest, RunResult } from '../protocol'
import { matMulCheck, type SmallParity, type SmallParityOptions, smallParity } from './webglChecks'
import { webglLab } from './webglLab'
import { webglStepLab } from './webglStepLab'
import type { LabRow } from './webglTiming'

/** What the page reports after choosing its backend. */
export interface PageInfo {
  backend: string
  threads: number | null
  crossOriginIsolated: boolean
  userAgent: string
}

/** The API chromium.ts calls with `page.evaluate`. */
export interface BenchPage {
  setup(backend: 'webgl' | 'wasm', threads: number | null): Promise<PageInfo>
  run(request: RunRequest): Promise<RunResult>
  profile(engine: 'tensorloom' | 'tensorloom-reference' | 'tfjs-fit'): Promise<StepProfile>
  flags(): Promise<Record<string, unknown>>
  parity(steps: number): Promise<{ reference: number[]; fast: number[] }>
  /** The WebGL lab (`src/webglLab.ts`): single programs timed in isolation. */
  lab(reps: number): Promise<LabRow[]>
  /** The programs of one fast-path step, timed alone. */
  stepLab(reps: number): Promise<LabRow[]>
  /** Tensorloom's WebGL matmul kernel against tfjs' (after a fast engine registered it). */
  matMulCheck(): Promise<Array<{ name: string; relative: number }>>
  /** Loss parity of the fast and the reference path on a small synthetic set. */
  smallParity(steps: number, options?: SmallParityOptions): Promise<SmallParity>
}

const source = new URL('/data/', location.href).href

// chromium.ts exposes `benchCpuSeconds`: the CPU time of the whole browser (GPU process included).
const exposed = (globalThis as unknown as { benchCpuSeconds?: () => Promise<number | null> })
  .benchCpuSeconds
if (exposed) setCpuClock(exposed)

const bench: BenchPage = {
  async setup(backend, threads) {
    if (backend === 'wasm') {
      setWasmPaths(new URL('/wasm/', location.href).href)
      if (threads !== null) setThreadsCount(threads)
    }
    if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) {
      throw new Error(`backend ${backend} is not available here (got ${tf.getBackend()})`)
    }
    await tf.ready()
    return {
      backend: tf.getBackend(),
      threads: backend === 'wasm' ? getThreadsCount() : null,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      userAgent: navigator.userAgent,
    }
  },
  run(request) {
    const fit = request.engine === 'tfjs-fit'
    if (request.network) return fit ? runFitNetwork(source, request) : runNetwork(source, request)
    return fit ? runFit(source, request) : runTensorloom(source, request)
  },
  profile(engine) {
    return engine === 'tfjs-fit' ? profileFit(source) : profileTensorloom(source, engine)
  },
  parity(steps) {
    return parityLosses(source, steps)
  },
  lab(reps) {
    return webglLab(reps)
  },
  stepLab(reps) {
    return webglStepLab(reps, source)
  },
  matMulCheck() {
    return matMulCheck()
  },
  smallParity(steps, options) {
    return smallParity(steps, options)
  },
  async flags() {
    const names = ['WASM_HAS_SIMD_SUPPORT', 'WASM_HAS_MULTITHREAD_SUPPORT', 'WEBGL_VERSION']
    return Object.fromEntries(
      await Promise.all(names.map(async (n) => [n, await tf.env().getAsync(n)])),
    )
  },
}

;(globalThis as unknown as { bench: BenchPage; tf: typeof tf }).bench = bench
;(globalThis as unknown as { tf: typeof tf }).tf = tf
