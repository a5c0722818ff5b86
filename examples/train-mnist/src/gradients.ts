import { createRequire } from 'node:module'
import * as tf from '@tensorflow/tfjs-core'

/**
 * Registers tfjs-core's gradients (tfjs-core alone ships none; the @tensorflow/tfjs union package
 * registers them). Their module is ESM with extensionless imports, which bundlers and Vitest load
 * but Node's ESM loader (tsx) refuses; there `require` works, as tsx compiles it to CommonJS. The
 * registry is global, so either copy serves every tfjs-core instance.
 */
export async function registerGradients(): Promise<void> {
  if (tf.getGradient('RealDiv')) return
  try {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients')
  } catch {
    createRequire(import.meta.url)('@tensorflow/tfjs-core/dist/register_all_gradients')
  }
  if (!tf.getGradient('RealDiv')) throw new Error('could not register the tfjs gradients')
}
