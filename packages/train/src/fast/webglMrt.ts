// Draws with several render targets (WebGL2 `drawBuffers`) for tfjs-backend-webgl, outside tfjs'
// program runner (which supports one output), restoring the state tfjs relies on:
// - a packed matmul computing 2×4 output texels per fragment, one contiguous block of the output
//   per target, blitted into an ordinary tfjs texture. tfjs' programs write one texel (2×2
//   values) per fragment and fetch 2 texels per 8 multiply-adds; a 2×4 tile fetches 6 per 64. On
//   a software renderer (SwiftShader) texture fetches are most of what a matmul costs;
// - `drawTargets`: one program writing several tensors of one shape (the optimizer: a parameter
//   and its state buffers in one draw).
import * as tf from '@tensorflow/tfjs-core'

/** The parts of tfjs-backend-webgl's `MathBackendWebGL` used here (duck-typed). */
export interface RawBackend {
  gpgpu: { gl: WebGL2RenderingContext; framebuffer: WebGLFramebuffer }
  texData: {
    get(
      dataId: tf.DataId,
    ):
      | { isPacked?: boolean; texShape?: number[]; texture?: { texture: WebGLTexture } | null }
      | undefined
  }
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo
  uploadToGPU(dataId: tf.DataId): void
}

/** Output texels per fragment: `rows` texel rows × `cols` texel columns (render targets). */
export interface Tile {
  rows: number
  cols: number
}

const VERTEX = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID & 1) * 4 - 1), float((gl_VertexID & 2) * 2 - 1));
  gl_Position = vec4(p, 0.0, 1.0);
}`

const HEADER = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
`

interface Compiled {
  program: WebGLProgram
  uniforms: WebGLUniformLocation[]
  /** Locations of float uniforms by name. */
  floats: Map<string, WebGLUniformLocation | null>
}

interface Context {
  gl: WebGL2RenderingContext
  vao: WebGLVertexArrayObject
  mrtFramebuffer: WebGLFramebuffer
  copyFramebuffer: WebGLFramebuffer
  targetFramebuffer: WebGLFramebuffer
  programs: Map<string, Compiled>
  /** Scratch textures by `width×height×count`, reused by every call of that size. */
  scratch: Map<string, WebGLTexture[]>
}

const contexts = new WeakMap<WebGL2RenderingContext, Context>()

function context(gl: WebGL2RenderingContext): Context {
  let c = contexts.get(gl)
  if (!c) {
    c = {
      gl,
      vao: gl.createVertexArray()!,
      mrtFramebuffer: gl.createFramebuffer()!,
      copyFramebuffer: gl.createFramebuffer()!,
      targetFramebuffer: gl.createFramebuffer()!,
      programs: new Map(),
      scratch: new Map(),
    }
    contexts.set(gl, c)
  }
  return c
}

function compile(c: Context, fragment: string, samplers: string[]): Compiled {
  const cached = c.programs.get(fragment)
  if (cached) return cached
  const { gl } = c
  const shader = (type: number, source: string) => {
    const s = gl.createShader(type)!
    gl.shaderSource(s, source)
    gl.compileShader(s)
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) {
      throw new Error(`Tensorloom's WebGL matmul did not compile: ${gl.getShaderInfoLog(s)}`)
    }
    return s
  }
  const program = gl.createProgram()!
  gl.attachShader(program, shader(gl.VERTEX_SHADER, VERTEX))
  gl.attachShader(program, shader(gl.FRAGMENT_SHADER, fragment))
  gl.linkProgram(program)
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
    throw new Error(`Tensorloom's WebGL matmul did not link: ${gl.getProgramInfoLog(program)}`)
  }
  const compiled = {
    program,
    uniforms: samplers.map((name) => gl.getUniformLocation(program, name)!),
    floats: new Map<string, WebGLUniformLocation | null>(),
  }
  c.programs.set(fragment, compiled)
  return compiled
}

function scratch(c: Context, width: number, height: number, count: number): WebGLTexture[] {
  const key = `${width}x${height}x${count}`
  let textures = c.scratch.get(key)
  if (!textures) {
    const { gl } = c
    textures = []
    for (let t = 0; t < count; t++) {
      const texture = gl.createTexture()!
      gl.bindTexture(gl.TEXTURE_2D, texture)
      gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA32F, width, height)
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST)
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
      textures.push(texture)
    }
    c.scratch.set(key, textures)
  }
  return textures
}

const even = (n: number) => n + (n % 2)

/** Whether `t` is a packed texture with tfjs' plain 2D layout, already on the GPU. */
export function texture(backend: RawBackend, t: tf.TensorInfo): WebGLTexture | null {
  const data = backend.texData.get(t.dataId)
  const [rows, cols] = t.shape as [number, number]
  if (!data?.isPacked || !data.texture || !data.texShape) return null
  if (data.texShape[0] !== even(rows) || data.texShape[1] !== even(cols)) return null
  return data.texture.texture
}

/**
 * Whether the multi-target matmul can run here: WebGL2 with float32 render targets and enough
 * draw buffers for `tile`.
 */
export function mrtAvailable(backend: unknown, tile: Tile): boolean {
  const gl = (backend as Partial<RawBackend>).gpgpu?.gl
  if (!gl || typeof (gl as Partial<WebGL2RenderingContext>).drawBuffers !== 'function') return false
  const targets = tile.rows * tile.cols
  let limits = drawBufferLimits.get(gl)
  if (limits === undefined) {
    limits = Math.min(
      gl.getParameter(gl.MAX_DRAW_BUFFERS),
      gl.getParameter(gl.MAX_COLOR_ATTACHMENTS),
    )
    drawBufferLimits.set(gl, limits)
  }
  if (limits < targets) return false
  if (tf.env().getNumber('WEBGL_VERSION') !== 2) return false
  if (!tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) return false
  return !tf.env().getBool('WEBGL_FORCE_F16_TEXTURES')
}

const drawBufferLimits = new WeakMap<WebGL2RenderingContext, number>()

/**
 * `op(A)·op(B)` (optionally ReLU'd) of packed 2D tensors already on the GPU, as a new packed
 * tensor; null when an input is not a plain packed texture (the caller then runs the one-target
 * program). Texture padding (odd sides) must hold zeros.
 */
export function mrtMatMul(
  backendLike: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  relu: boolean,
  tile: Tile,
): tf.TensorInfo | null {
  const backend = backendLike as RawBackend
  const texA = texture(backend, a)
  const texB = texture(backend, b)
  if (!texA || !texB) return null
  const [m, k] = (transposeA ? [a.shape[1], a.shape[0]] : a.shape) as [number, number]
  const n = (transposeB ? b.shape[0] : b.shape[1])!
  const max = tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE')
  if (even(m) / 2 > max || even(n) / 2 > max) return null
  const c = context(backend.gpgpu.gl)
  const { gl } = c
  const targets = tile.rows * tile.cols
  const outW = Math.ceil(n / 2)
  const outH = Math.ceil(m / 2)
  const w = Math.ceil(outW / tile.cols)
  const h = Math.ceil(outH / tile.rows)
  const kp = Math.ceil(k / 2)
  // Target i·cols + j holds the output block whose texels are (x + j·w, y + i·h) for the
  // fragment (x, y): each target is a contiguous block of the output, copied with a blit.
  const fa = (i: number) =>
    transposeA
      ? `texelFetch(A, ivec2(p.y + ${i * h}, i), 0)`
      : `texelFetch(A, ivec2(i, p.y + ${i * h}), 0)`
  const fb = (j: number) =>
    transposeB
      ? `texelFetch(B, ivec2(i, p.x + ${j * w}), 0)`
      : `texelFetch(B, ivec2(p.x + ${j * w}, i), 0)`
  const [a0, a1] = transposeA ? ['xxyy', 'zzww'] : ['xxzz', 'yyww']
  const [b0, b1] = transposeB ? ['xzxz', 'ywyw'] : ['xyxy', 'zwzw']
  let declarations = ''
  let sums = ''
  let body = ''
  let outputs = ''
  for (let i = 0; i < tile.rows; i++) body += `vec4 a${i} = ${fa(i)};\n`
  for (let j = 0; j < tile.cols; j++) body += `vec4 b${j} = ${fb(j)};\n`
  for (let i = 0; i < tile.rows; i++) {
    for (let j = 0; j < tile.cols; j++) {
      const t = i * tile.cols + j
      declarations += `layout(location = ${t}) out vec4 o${t};\n`
      sums += `vec4 s${t} = vec4(0.0);\n`
      body += `s${t} += a${i}.${a0} * b${j}.${b0} + a${i}.${a1} * b${j}.${b1};\n`
      outputs += relu ? `o${t} = max(s${t}, vec4(0.0));\n` : `o${t} = s${t};\n`
    }
  }
  const mrt = compile(
    c,
    `${HEADER}
uniform sampler2D A;
uniform sampler2D B;
${declarations}
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  ${sums}
  for (int i = 0; i < ${kp}; i++) {
    ${body}
  }
  ${outputs}
}`,
    ['A', 'B'],
  )
  const tiles = scratch(c, w, h, targets)
  const out = backend.makeTensorInfo([m, n], 'float32')
  const outData = backend.texData.get(out.dataId)!
  outData.isPacked = true
  backend.uploadToGPU(out.dataId)
  const outTexture = outData.texture!.texture

  gl.bindVertexArray(c.vao)
  // The blocks.
  gl.bindFramebuffer(gl.FRAMEBUFFER, c.mrtFramebuffer)
  tiles.forEach((tex, t) => {
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + t, gl.TEXTURE_2D, tex, 0)
  })
  gl.drawBuffers(tiles.map((_, t) => gl.COLOR_ATTACHMENT0 + t))
  gl.viewport(0, 0, w, h)
  gl.scissor(0, 0, w, h)
  gl.useProgram(mrt.program)
  ;[texA, texB].forEach((tex, unit) => {
    gl.activeTexture(gl.TEXTURE0 + unit)
    gl.bindTexture(gl.TEXTURE_2D, tex)
    gl.uniform1i(mrt.uniforms[unit]!, unit)
  })
  gl.drawArrays(gl.TRIANGLES, 0, 3)
  // Into tfjs' texture, block by block (the scissor box clips blits too).
  gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, c.copyFramebuffer)
  gl.framebufferTexture2D(gl.DRAW_FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, outTexture, 0)
  gl.scissor(0, 0, outW, outH)
  for (let i = 0; i < tile.rows; i++) {
    for (let j = 0; j < tile.cols; j++) {
      const x0 = j * w
      const y0 = i * h
      const width = Math.min(w, outW - x0)
      const height = Math.min(h, outH - y0)
      if (width <= 0 || height <= 0) continue
      gl.readBuffer(gl.COLOR_ATTACHMENT0 + i * tile.cols + j)
      gl.blitFramebuffer(
        0,
        0,
        width,
        height,
        x0,
        y0,
        x0 + width,
        y0 + height,
        gl.COLOR_BUFFER_BIT,
        gl.NEAREST,
      )
    }
  }
  gl.framebufferTexture2D(gl.DRAW_FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, null, 0)
  // tfjs binds its program, VAO, textures, viewport and scissor for every draw, but keeps its
  // framebuffer bound.
  gl.bindFramebuffer(gl.FRAMEBUFFER, backend.gpgpu.framebuffer)
  return out
}

/**
 * One draw of `fragment` (a complete GLSL ES 3.00 shader reading `samplers` and writing
 * `layout(location = t) out vec4` targets) over the texels of a packed `[rows, cols]` tensor,
 * into `count` new packed tensors of that shape. `floats` sets float uniforms by name.
 */
export function drawTargets(
  backendLike: unknown,
  fragment: string,
  samplers: string[],
  inputs: WebGLTexture[],
  floats: Array<[string, number]>,
  shape: [number, number],
  count: number,
): tf.TensorInfo[] {
  const backend = backendLike as RawBackend
  const c = context(backend.gpgpu.gl)
  const { gl } = c
  const compiled = compile(c, fragment, samplers)
  const outputs = Array.from({ length: count }, () => {
    const out = backend.makeTensorInfo(shape, 'float32')
    backend.texData.get(out.dataId)!.isPacked = true
    backend.uploadToGPU(out.dataId)
    return out
  })
  const w = Math.ceil(shape[1] / 2)
  const h = Math.ceil(shape[0] / 2)
  gl.bindVertexArray(c.vao)
  gl.bindFramebuffer(gl.FRAMEBUFFER, c.targetFramebuffer)
  const attachments = outputs.map((out, t) => {
    const tex = backend.texData.get(out.dataId)!.texture!.texture
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + t, gl.TEXTURE_2D, tex, 0)
    return gl.COLOR_ATTACHMENT0 + t
  })
  gl.drawBuffers(attachments)
  gl.viewport(0, 0, w, h)
  gl.scissor(0, 0, w, h)
  gl.useProgram(compiled.program)
  inputs.forEach((tex, unit) => {
    gl.activeTexture(gl.TEXTURE0 + unit)
    gl.bindTexture(gl.TEXTURE_2D, tex)
    gl.uniform1i(compiled.uniforms[unit]!, unit)
  })
  for (const [name, value] of floats) {
    if (!compiled.floats.has(name)) {
      compiled.floats.set(name, gl.getUniformLocation(compiled.program, name))
    }
    const location = compiled.floats.get(name)
    if (location) gl.uniform1f(location, value)
  }
  gl.drawArrays(gl.TRIANGLES, 0, 3)
  // Detach: the outputs are tfjs' textures now.
  attachments.forEach((attachment) => {
    gl.framebufferTexture2D(gl.FRAMEBUFFER, attachment, gl.TEXTURE_2D, null, 0)
  })
  gl.bindFramebuffer(gl.FRAMEBUFFER, backend.gpgpu.framebuffer)
  return outputs
}

/** The fragment shader header used by {@link drawTargets} programs. */
export const FRAGMENT_HEADER = HEADER
