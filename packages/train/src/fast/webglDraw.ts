// Raw WebGL2 draws for tfjs-backend-webgl, outside tfjs' program runner (which writes one output
// per draw), restoring the state tfjs relies on:
// - `drawTiles`: a program computing a tile of output texels per fragment, one contiguous block
//   of the output per render target (`drawBuffers`), blitted into an ordinary tfjs texture;
// - `drawTargets`: one program writing several tensors of one shape (the optimizer: a parameter
//   and its state buffers in one draw).
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl'
import * as tf from '@tensorflow/tfjs-core'
import { packedOutput } from './webglTextures'

/** Output texels per fragment: `rows` texel rows × `cols` texel columns (render targets). */
export interface Tile {
  rows: number
  cols: number
}

/** A uniform set before a raw draw: a float, or an array of `ivec4`. */
export type Uniform = { name: string; float: number } | { name: string; ivec4: Int32Array }

/** A complete raw program: GLSL ES 3.00 fragment source, its samplers and their textures. */
export interface RawProgram {
  fragment: string
  samplers: string[]
  textures: WebGLTexture[]
  uniforms?: Uniform[]
}

const VERTEX = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID & 1) * 4 - 1), float((gl_VertexID & 2) * 2 - 1));
  gl_Position = vec4(p, 0.0, 1.0);
}`

/** The first lines of every raw fragment shader. */
export const FRAGMENT_HEADER = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp isampler2D;
`

interface Compiled {
  program: WebGLProgram
  samplers: WebGLUniformLocation[]
  /** Uniform locations by name, looked up on first use. */
  locations: Map<string, WebGLUniformLocation | null>
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

/** The backend's WebGL2 context, or null (WebGL1, or not a WebGL backend). */
export function gl2(backend: unknown): WebGL2RenderingContext | null {
  const gl = (backend as Partial<MathBackendWebGL> | null)?.gpgpu?.gl as
    | Partial<WebGL2RenderingContext>
    | undefined
  return gl && typeof gl.drawBuffers === 'function' ? (gl as WebGL2RenderingContext) : null
}

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
      throw new Error(`Tensorloom's WebGL program did not compile: ${gl.getShaderInfoLog(s)}`)
    }
    return s
  }
  const program = gl.createProgram()!
  gl.attachShader(program, shader(gl.VERTEX_SHADER, VERTEX))
  gl.attachShader(program, shader(gl.FRAGMENT_SHADER, fragment))
  gl.linkProgram(program)
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
    throw new Error(`Tensorloom's WebGL program did not link: ${gl.getProgramInfoLog(program)}`)
  }
  const compiled = {
    program,
    samplers: samplers.map((name) => gl.getUniformLocation(program, name)!),
    locations: new Map<string, WebGLUniformLocation | null>(),
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

/**
 * A scratch `RGBA32I` texture of `values.length / 4` texels in one row, holding `values` (for
 * integer tables too large for uniforms). Reused by the next call of the same width.
 */
export function intTexture(backend: unknown, values: Int32Array): WebGLTexture {
  const c = context(gl2(backend)!)
  const { gl } = c
  const width = values.length / 4
  const key = `int${width}`
  let texture = c.scratch.get(key)?.[0]
  if (!texture) {
    texture = gl.createTexture()!
    gl.bindTexture(gl.TEXTURE_2D, texture)
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA32I, width, 1)
    // Integer textures are incomplete (they read as 0) unless sampled without filtering.
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST)
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
    c.scratch.set(key, [texture])
  }
  gl.bindTexture(gl.TEXTURE_2D, texture)
  gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, width, 1, gl.RGBA_INTEGER, gl.INT, values)
  return texture
}

const UNIFORM_VECTORS = 'TENSORLOOM_WEBGL_UNIFORM_VECTORS'
let flagRegistered = false

/**
 * How many vector uniforms a program may use for tables (sample coordinates, labels): what the
 * GPU allows less a reserve, or the tfjs flag `TENSORLOOM_WEBGL_UNIFORM_VECTORS` when set to 0 or
 * more (tests set it low to take the texture paths that larger tables take).
 */
export function uniformVectors(backend: unknown): number {
  if (!flagRegistered) {
    tf.env().registerFlag(UNIFORM_VECTORS, () => -1)
    flagRegistered = true
  }
  const override = tf.env().getNumber(UNIFORM_VECTORS)
  if (override >= 0) return override
  const gl = gl2(backend)
  return gl ? (gl.getParameter(gl.MAX_FRAGMENT_UNIFORM_VECTORS) as number) - 32 : 0
}

/**
 * Whether the multi-target programs can run here: WebGL2 with float32 render targets and enough
 * draw buffers for `tile`.
 */
export function mrtAvailable(backend: unknown, tile: Tile): boolean {
  const gl = gl2(backend)
  if (!gl) return false
  let limit = drawBufferLimits.get(gl)
  if (limit === undefined) {
    limit = Math.min(
      gl.getParameter(gl.MAX_DRAW_BUFFERS),
      gl.getParameter(gl.MAX_COLOR_ATTACHMENTS),
    ) as number
    drawBufferLimits.set(gl, limit)
  }
  if (limit < tile.rows * tile.cols) return false
  if (tf.env().getNumber('WEBGL_VERSION') !== 2) return false
  if (!tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) return false
  return !tf.env().getBool('WEBGL_FORCE_F16_TEXTURES')
}

const drawBufferLimits = new WeakMap<WebGL2RenderingContext, number>()

function bindProgram(c: Context, program: RawProgram): void {
  const { gl } = c
  const compiled = compile(c, program.fragment, program.samplers)
  gl.useProgram(compiled.program)
  program.textures.forEach((tex, unit) => {
    gl.activeTexture(gl.TEXTURE0 + unit)
    gl.bindTexture(gl.TEXTURE_2D, tex)
    gl.uniform1i(compiled.samplers[unit]!, unit)
  })
  for (const u of program.uniforms ?? []) {
    if (!compiled.locations.has(u.name)) {
      compiled.locations.set(u.name, gl.getUniformLocation(compiled.program, u.name))
    }
    const location = compiled.locations.get(u.name)
    if (!location) continue
    if ('float' in u) gl.uniform1f(location, u.float)
    else gl.uniform4iv(location, u.ivec4)
  }
}

/**
 * The fragment grid of a tiled draw of a packed `[rows, cols]` output: `width × height`
 * fragments; fragment (x, y) writes to target `i·tile.cols + j` the output texel
 * (x + j·width, y + i·height).
 */
export function tileGrid(shape: [number, number], tile: Tile): { width: number; height: number } {
  return {
    width: Math.ceil(Math.ceil(shape[1] / 2) / tile.cols),
    height: Math.ceil(Math.ceil(shape[0] / 2) / tile.rows),
  }
}

/**
 * One draw of a tiled `program` (it declares `layout(location = t) out vec4` for each of the
 * tile's targets, see {@link tileGrid}) into a new packed `[rows, cols]` tensor; with `computed`,
 * the program computes only that leading block of it (see {@link fillTexels} for the rest).
 */
export function drawTiles(
  backendLike: unknown,
  program: RawProgram,
  shape: [number, number],
  tile: Tile,
  computed: [number, number] = shape,
): tf.TensorInfo {
  const backend = backendLike as MathBackendWebGL
  const c = context(gl2(backend)!)
  const { gl } = c
  const { width: w, height: h } = tileGrid(computed, tile)
  const outW = Math.ceil(computed[1] / 2)
  const outH = Math.ceil(computed[0] / 2)
  const tiles = scratch(c, w, h, tile.rows * tile.cols)
  const out = packedOutput(backend, shape)

  gl.bindVertexArray(c.vao)
  gl.bindFramebuffer(gl.FRAMEBUFFER, c.mrtFramebuffer)
  tiles.forEach((tex, t) => {
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + t, gl.TEXTURE_2D, tex, 0)
  })
  gl.drawBuffers(tiles.map((_, t) => gl.COLOR_ATTACHMENT0 + t))
  gl.viewport(0, 0, w, h)
  gl.scissor(0, 0, w, h)
  bindProgram(c, program)
  gl.drawArrays(gl.TRIANGLES, 0, 3)
  // Into tfjs' texture, block by block (the scissor box clips blits too).
  gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, c.copyFramebuffer)
  gl.framebufferTexture2D(gl.DRAW_FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, out.texture, 0)
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
  return out.info
}

/**
 * Sets the texels `[x0, x0 + width) × [y0, y0 + height)` of the packed tensor `t` (on the GPU) to
 * `value` (a scissored clear).
 */
export function fillTexels(
  backendLike: unknown,
  t: tf.TensorInfo,
  box: { x0: number; y0: number; width: number; height: number },
  value: [number, number, number, number],
): void {
  if (box.width <= 0 || box.height <= 0) return
  const backend = backendLike as MathBackendWebGL
  const c = context(gl2(backend)!)
  const { gl } = c
  const texture = backend.texData.get(t.dataId).texture!.texture
  gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, c.copyFramebuffer)
  gl.framebufferTexture2D(gl.DRAW_FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0)
  gl.scissor(box.x0, box.y0, box.width, box.height)
  gl.clearBufferfv(gl.COLOR, 0, value)
  gl.framebufferTexture2D(gl.DRAW_FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, null, 0)
  gl.bindFramebuffer(gl.FRAMEBUFFER, backend.gpgpu.framebuffer)
}

/**
 * One draw of `program` (it writes `layout(location = t) out vec4` targets) over the texels of
 * a packed `[rows, cols]` tensor, into `count` new packed tensors of that shape.
 */
export function drawTargets(
  backendLike: unknown,
  program: RawProgram,
  shape: [number, number],
  count: number,
): tf.TensorInfo[] {
  const backend = backendLike as MathBackendWebGL
  const c = context(gl2(backend)!)
  const { gl } = c
  const outputs = Array.from({ length: count }, () => packedOutput(backend, shape))
  const w = Math.ceil(shape[1] / 2)
  const h = Math.ceil(shape[0] / 2)
  gl.bindVertexArray(c.vao)
  gl.bindFramebuffer(gl.FRAMEBUFFER, c.targetFramebuffer)
  const attachments = outputs.map((out, t) => {
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + t, gl.TEXTURE_2D, out.texture, 0)
    return gl.COLOR_ATTACHMENT0 + t
  })
  gl.drawBuffers(attachments)
  gl.viewport(0, 0, w, h)
  gl.scissor(0, 0, w, h)
  bindProgram(c, program)
  gl.drawArrays(gl.TRIANGLES, 0, 3)
  // Detach: the outputs are tfjs' textures now.
  for (const attachment of attachments) {
    gl.framebufferTexture2D(gl.FRAMEBUFFER, attachment, gl.TEXTURE_2D, null, 0)
  }
  gl.bindFramebuffer(gl.FRAMEBUFFER, backend.gpgpu.framebuffer)
  return outputs.map((o) => o.info)
}
