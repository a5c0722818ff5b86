// tfjs-backend-webgl's textures as the raw programs of the fast path read and write them: packed
// (2×2 values per texel: (r, c), (r, c+1), (r+1, c), (r+1, c+1) in x, y, z, w) in tfjs' plain
// layout, `[⌈rows/2⌉, ⌈cols/2⌉]` texels, which `texelFetch` can address directly.
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl'
import * as tf from '@tensorflow/tfjs-core'

const even = (n: number) => n + (n % 2)

/** Whether a packed `[rows, cols]` texture gets tfjs' plain layout (no squarifying). */
export function fits(rows: number, cols: number): boolean {
  const max = 2 * tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE')
  return even(rows) <= max && even(cols) <= max
}

/** `t`'s texture when it is a packed texture in tfjs' plain 2D layout on the GPU, else null. */
export function texture(backend: unknown, t: tf.TensorInfo): WebGLTexture | null {
  const data = (backend as MathBackendWebGL).texData.get(t.dataId)
  const [rows, cols] = t.shape as [number, number]
  if (!data?.isPacked || !data.texture || !data.texShape) return null
  if (data.texShape[0] !== even(rows) || data.texShape[1] !== even(cols)) return null
  return data.texture.texture
}

/**
 * `t`'s texture in the plain packed layout: uploaded packed when it still lives on the CPU, or
 * converted by a copy program (into `temps`, for the caller to dispose) when tfjs laid it out
 * otherwise.
 */
export function plainTexture(
  backendLike: unknown,
  t: tf.TensorInfo,
  temps: tf.TensorInfo[],
): WebGLTexture {
  const backend = backendLike as MathBackendWebGL
  const data = backend.texData.get(t.dataId)
  if (!data.texture && data.values) {
    data.isPacked = true
    backend.uploadToGPU(t.dataId)
  }
  const direct = texture(backend, t)
  if (direct) return direct
  const copy = backend.runWebGLProgram(
    {
      variableNames: ['A'],
      outputShape: t.shape,
      packedInputs: true,
      packedOutput: true,
      userCode: 'void main() { setOutput(getAAtOutCoords()); }',
    },
    [t],
    'float32',
  )
  temps.push(copy)
  const converted = texture(backend, copy)
  if (!converted)
    throw new Error(`Tensorloom's WebGL programs cannot lay out a [${t.shape}] tensor.`)
  return converted
}

/** A new packed `[rows, cols]` float32 tensor with its texture allocated. */
export function packedOutput(backend: MathBackendWebGL, shape: [number, number]) {
  const out = backend.makeTensorInfo(shape, 'float32')
  backend.texData.get(out.dataId).isPacked = true
  backend.uploadToGPU(out.dataId)
  return { info: out, texture: backend.texData.get(out.dataId).texture!.texture }
}
