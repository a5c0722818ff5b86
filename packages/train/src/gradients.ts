// Gradient functions for the tfjs kernels that models and losses use, ported from tfjs-core's
// src/gradients (Apache-2.0, Copyright Google LLC) onto its public API. tfjs-core's own
// `register_all_gradients` ships only as extensionless ESM that Node cannot import, and its npm
// bundles contain no gradients at all, so `tf.grad` fails with "gradient function not found for
// Sum" unless the full `@tensorflow/tfjs` package is loaded. Registering is idempotent and never
// overrides a gradient that is already registered (e.g. by `@tensorflow/tfjs`).
// The definitions live in elementwiseGradients.ts, shapeGradients.ts and convGradients.ts.
import * as tf from '@tensorflow/tfjs-core'
import { convGradients } from './convGradients'
import { elementwiseGradients } from './elementwiseGradients'
import type { Config } from './gradientHelpers'
import { shapeGradients } from './shapeGradients'

const CONFIGS: Config[] = [...elementwiseGradients, ...shapeGradients, ...convGradients]

/** Kernel names {@link registerGradients} provides gradients for. */
export const gradientKernels: readonly string[] = CONFIGS.map((c) => c.kernelName)

let registered = false

/**
 * Registers gradient functions for the tfjs kernels used by `@tensorloom/layers` models and the
 * losses here (MatMul, Add, ReLU, Conv2D, MaxPool, log-softmax, …), so `tf.grad`,
 * `tf.variableGrads` and the optimizers work with only `@tensorflow/tfjs-core` and a backend.
 * Optimizers and the Trainer call it for you; call it yourself before using `tf.grad` directly.
 * Idempotent; gradients registered by someone else (e.g. `@tensorflow/tfjs`) are kept.
 */
export function registerGradients(): void {
  if (registered) return
  for (const config of CONFIGS) {
    if (tf.getGradient(config.kernelName) == null) {
      tf.registerGradient(config as unknown as tf.GradConfig)
    }
  }
  registered = true
}
