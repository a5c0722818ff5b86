import * as tf from '@tensorflow/tfjs-core'
import type { ContextWatch } from './recovery'
import { watchContext } from './recovery'

/** The parts of the webgl backend's WebGL2 context used here. */
interface WebGLHandle {
  isContextLost(): boolean
  readonly canvas: unknown
  getExtension(name: 'WEBGL_lose_context'): { loseContext(): void } | null
}

/** The context of tfjs' webgl backend while it is the active one (an OffscreenCanvas's). */
export function webglContext(): WebGLHandle | null {
  if (tf.getBackend() !== 'webgl') return null
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGLHandle } }
  return backend.gpgpu?.gl ?? null
}

/** The fault a test asks for with `?loseWebGLContextAt=`: what a GPU reset does to the page. */
export function loseWebGLContext(): void {
  webglContext()?.getExtension('WEBGL_lose_context')?.loseContext()
}

/**
 * tfjs polls a fence for every pending read-back; on a lost context the fence never passes, and
 * the polling would go on forever. Drop those reads (their callers were given up).
 */
export function releaseLostWebGL(): void {
  const backend = tf.findBackend('webgl') as unknown as { gpgpu?: { itemsToPoll?: unknown[] } }
  if (Array.isArray(backend?.gpgpu?.itemsToPoll)) backend.gpgpu.itemsToPoll = []
}

/** Watches the webgl backend's context while it trains; null on other backends. */
export function watchWebGL(lastProgress: () => number | null): ContextWatch | null {
  const gl = webglContext()
  if (!gl) return null
  return watchContext(gl, {
    lastProgress,
    probe: async () => {
      const one = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)))
      try {
        await one.data()
      } finally {
        one.dispose()
      }
    },
  })
}
