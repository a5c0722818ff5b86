import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type * as tf from '@tensorflow/tfjs-core'
import { type SimdKernels, simdKernels } from './simdKernels'

/** The WebAssembly kernels over tfjs-backend-wasm's heap, and what calling them takes. */
export interface WasmHeap {
  kernels: SimdKernels
  /** tfjs-backend-wasm's memory (for modules built for a shape). */
  memory: WebAssembly.Memory
  /** A tensor's byte offset in the heap. */
  ptr(info: tf.TensorInfo): number
  /** The heap as float32 (a fresh view: an allocation may have grown the memory). */
  f32(): Float32Array
  /** Scratch memory for `floats` float32 values (16-byte aligned); {@link free} it. */
  alloc(floats: number): number
  free(ptr: number): void
}

interface WasmModule {
  asm?: { memory?: WebAssembly.Memory }
  HEAPF32: Float32Array
  _malloc(bytes: number): number
  _free(ptr: number): void
}

/**
 * The kernels for `backend` when it is tfjs' wasm backend with a memory they can import (not the
 * threaded build's shared memory) and WebAssembly SIMD works here; null otherwise.
 */
export function wasmHeap(backendName: string, backend: unknown): WasmHeap | null {
  if (backendName !== 'wasm') return null
  const b = backend as BackendWasm & { wasm: WasmModule }
  const memory = b.wasm?.asm?.memory
  if (!(memory instanceof WebAssembly.Memory) || !(memory.buffer instanceof ArrayBuffer)) {
    return null
  }
  const kernels = simdKernels(memory)
  if (!kernels) return null
  const dataIdMap = (b as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } })
    .dataIdMap
  return {
    kernels,
    memory,
    ptr: (info) => dataIdMap.get(info.dataId).memoryOffset,
    f32: () => new Float32Array(memory.buffer),
    alloc: (floats) => {
      // malloc aligns to 8: round up to 16 for the SIMD loads.
      const raw = b.wasm._malloc(floats * 4 + 16)
      const aligned = (raw + 15) & ~15
      scratchOf.set(aligned, raw)
      return aligned
    },
    free: (ptr) => {
      b.wasm._free(scratchOf.get(ptr) ?? ptr)
      scratchOf.delete(ptr)
    },
  }
}

/** Aligned scratch pointer -> the pointer malloc returned. */
const scratchOf = new Map<number, number>()
