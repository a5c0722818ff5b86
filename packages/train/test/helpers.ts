import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import { CURRENT_VERSION, defaultTraining, type GraphDocument, parseGraph } from '@tensorloom/graph'
import '@tensorflow/tfjs-backend-cpu'
import { expect } from 'vitest'

/** Switches to tfjs's CPU backend (pure JS, deterministic, fast enough for small tests). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu')
  await tf.ready()
}

/** A JSON fixture written by scripts/parity/train_fixtures.py. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../src/fixtures/${name}`, import.meta.url), 'utf8')) as T
}

export interface TensorJson {
  shape: number[]
  data: number[]
}

/** Element-wise |a - e| <= atol + rtol * |e|, with the worst offender in the failure message. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-4,
  atol = 1e-6,
): void {
  expect(actual.length).toBe(expected.length)
  let worst = -1
  let worstExcess = 0
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!
    const e = expected[i]!
    if (Number.isNaN(e) && Number.isNaN(a)) continue
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e))
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess)) {
      worst = i
      worstExcess = excess
    }
  }
  if (worst >= 0) {
    expect.fail(
      `element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`,
    )
  }
}

/** Switches to the WebAssembly backend (single-threaded XNNPACK in Node; ~10x the CPU backend). */
export async function useWasm(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm')
  await tf.setBackend('wasm')
  await tf.ready()
}

/** A graph document whose nodes n1, n2, … form one chain through `steps`, validated (defaults filled). */
export function chainDoc(
  steps: ReadonlyArray<readonly [string, Record<string, unknown>?]>,
  training: Partial<GraphDocument['training']> = {},
): GraphDocument {
  const nodes = steps.map(([type, params], i) => ({
    id: `n${i + 1}`,
    type,
    params: params ?? {},
    position: { x: i * 220, y: 0 },
  }))
  const edges = nodes
    .slice(1)
    .map((n, i) => ({ id: `e${i + 1}`, source: `n${i + 1}`, target: n.id }))
  return parseGraph({
    version: CURRENT_VERSION,
    name: 'test',
    nodes,
    edges,
    training: { ...defaultTraining, ...training },
  })
}
