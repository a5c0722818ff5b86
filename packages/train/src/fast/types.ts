import type * as tf from '@tensorflow/tfjs-core'
import type { Module } from '@tensorloom/layers'
import type { BatchSource } from '../evaluate'
import type { Criterion } from '../Loss'
import type { Optimizer } from '../Optimizer'

/** Options of {@link FastEngine.create}. */
export interface FastEngineOptions {
  /** The model: a chain of Flatten, Linear and ReLU layers (see {@link FastEngine.check}). */
  model: Module
  /** An `Adam`, `AdamW` or `SGD` over exactly the model's parameters. */
  optimizer: Optimizer<object>
  /** `CrossEntropyLoss` with reduction `'mean'` or `'sum'` and no class weights or smoothing. */
  criterion?: Criterion
  /** A `DataLoader` over an MNIST-like dataset whose transforms have batched forms. */
  trainLoader: BatchSource
  /** Switches for measuring what each technique brings (defaults: all on). */
  tuning?: Partial<FastTuning>
}

/** The techniques of the fast path that can be switched off, to measure what each brings. */
export interface FastTuning {
  /**
   * Fused kernels — softmax-cross-entropy with its gradient, ReLU gradient, one optimizer op for
   * every parameter — as JavaScript loops on wasm and cpu and WebGL programs on webgl (true), or
   * tfjs ops (false; always on other backends).
   */
  kernels: boolean
  /** Keep the transformed training set on the device and gather batches there (true), or build
   * each batch on the host and upload it (false). */
  residentData: boolean
  /** Fuse bias and ReLU into the matmul with `tf.fused.matMul` (true), or run them as ops. */
  fusedMatMul: boolean
}

/** One training step's results, still on the device (read them back when convenient). */
export interface FastStep {
  /** `[loss, correct]`: the batch's loss (as the criterion reduces it), and the number of rows
   * whose highest logit is the label. */
  stats: tf.Tensor1D
  /** Samples in the batch. */
  samples: number
}

/** Either the engine can train this setup, or why not. */
export type FastSupport = { ok: true } | { ok: false; reason: string }
