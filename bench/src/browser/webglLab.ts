// WebGL lab (page side): times single programs of a training step in isolation on the `webgl`
// backend (SwiftShader here has no timer queries: each case runs `reps` times, then one read-back
// waits for the queue), and candidate matmul shaders for the lesson's shapes. Driven by
// `src/webglLab.ts`; not part of `pnpm bench`'s tables.
import * as tf from '@tensorflow/tfjs'
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl'
import { DataLoader, MNIST } from '@tensorloom/data'
import { manualSeed } from '@tensorloom/layers'
import { Adam, AdamW, CrossEntropyLoss, FastEngine, type Optimizer, SGD } from '@tensorloom/train'
import { cpuNow, cpuSince } from '../engines/cpuClock'
import { parityRun } from '../engines/tensorloom'
import { lessonTransform, loadMnist, SimpleNN } from '../model'

/** Copies packed 2D `t`'s texels (row-major: texel row, then column) into `buffer` (GPU-side). */
function copyToBuffer(t: tf.Tensor, buffer: WebGLBuffer, fb: WebGLFramebuffer): number {
  const b = backend()
  const gl = gl2()
  const data = b.texData.get(t.dataId)
  const [rows, cols] = t.shape as [number, number]
  const w = Math.ceil(cols / 2)
  const h = Math.ceil(rows / 2)
  gl.bindFramebuffer(gl.FRAMEBUFFER, fb)
  gl.framebufferTexture2D(
    gl.FRAMEBUFFER,
    gl.COLOR_ATTACHMENT0,
    gl.TEXTURE_2D,
    data.texture!.texture,
    0,
  )
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer)
  gl.readPixels(0, 0, w, h, gl.RGBA, gl.FLOAT, 0)
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null)
  gl.bindFramebuffer(gl.FRAMEBUFFER, b.gpgpu.framebuffer)
  return w * h
}

/** dW1 = Xᵀ·dH with dH read from a uniform block (binding 0) holding its packed texels. */
function uboMatMulTN(m: number, k: number, n: number): GPGPUProgram {
  const kp = Math.ceil(k / 2)
  const np = Math.ceil(n / 2)
  return {
    variableNames: ['A'],
    outputShape: [m, n],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      layout(std140) uniform DH { vec4 dh[${kp * np}]; };
      void main() {
        ivec2 p = ivec2(gl_FragCoord.xy);
        int ac = p.y;
        int bc = p.x;
        vec4 result = vec4(0.0);
        for (int i = 0; i < ${kp}; i++) {
          vec4 a = texelFetch(A, ivec2(ac, i), 0);
          vec4 b = dh[i * ${np} + bc];
          result += a.xxyy * b.xyxy + a.zzww * b.zwzw;
        }
        setOutput(result);
      }`,
  }
}

const backend = () => tf.backend() as MathBackendWebGL

/** The backend's WebGL2 context (tfjs types it as WebGL1's). */
const gl2 = () => backend().gpgpu.gl as WebGL2RenderingContext

function runProgram(program: GPGPUProgram, inputs: tf.Tensor[]): tf.Tensor {
  const info = backend().runWebGLProgram(program, inputs, 'float32')
  return tf.engine().makeTensorFromTensorInfo(info)
}

/** What a timed case returns: its outputs (disposed), or nothing (raw WebGL cases). */
type Out = tf.Tensor | tf.Tensor[] | undefined

let anchor: tf.Tensor | null = null
/** Set by raw-GL cases: a synchronous read of their own output. */
let rawSync: (() => void) | null = null

async function sync(t?: Out): Promise<void> {
  const last = Array.isArray(t) ? t[t.length - 1] : t
  if (!last && rawSync) {
    rawSync()
    return
  }
  if (!last) {
    // On GPU-resident inputs (tfjs runs tiny ops on CPU data on the CPU): waits for the queue.
    anchor ??= tf.add(tf.randomNormal([2, 2]), tf.randomNormal([2, 2]))
    const probe = tf.add(anchor, anchor)
    await probe.data()
    probe.dispose()
    return
  }
  const one = tf.slice(
    last,
    last.shape.map(() => 0),
    last.shape.map(() => 1),
  )
  await one.data()
  one.dispose()
}

let lastCpuMs = 0

/** ms per call of `fn` (its outputs disposed), over `reps` calls after 3 warm-up calls. */
async function timeIt(fn: () => Out, reps: number): Promise<number> {
  for (let i = 0; i < 3; i++) tf.dispose(fn() as tf.Tensor)
  await sync()
  const c0 = await cpuNow()
  const t0 = performance.now()
  let out: Out
  for (let i = 0; i < reps; i++) {
    tf.dispose(out as tf.Tensor)
    out = fn()
  }
  await sync(out)
  const ms = (performance.now() - t0) / reps
  lastCpuMs = ((cpuSince(c0, await cpuNow()) ?? Number.NaN) * 1000) / reps
  tf.dispose(out as tf.Tensor)
  return ms
}

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed)

/** Makes `t` a packed texture (as the fast path's tensors are). */
function packed(t: tf.Tensor): tf.Tensor {
  // A packed identity op: tfjs' packed unary `relu(x) - relu(-x)` would change values; use add 0
  // on a packed binary program.
  const out = tf.add(t, tf.zerosLike(t))
  t.dispose()
  return out
}

/**
 * Where each layout of a packed matmul fetches its texels (`r`: the output texel row, `c`: its
 * column, `i`: the step along K) and how it combines them:
 * NN: C = A·B, A [M, K] and B [K, N]; TN: C = Aᵀ·B, A [K, M] and B [K, N]; NT: C = A·Bᵀ,
 * A [M, K] and B [N, K] (both read along texture rows).
 */
const FETCH_LAYOUTS = {
  NN: {
    a: (i: string) => `ivec2(${i}, r)`,
    b: (i: string) => `ivec2(c, ${i})`,
    combine: 'a.xxzz * b.xyxy + a.yyww * b.zwzw',
  },
  TN: {
    a: (i: string) => `ivec2(r, ${i})`,
    b: (i: string) => `ivec2(c, ${i})`,
    combine: 'a.xxyy * b.xyxy + a.zzww * b.zwzw',
  },
  NT: {
    a: (i: string) => `ivec2(${i}, r)`,
    b: (i: string) => `ivec2(${i}, c)`,
    combine: 'a.xxzz * b.xzxz + a.yyww * b.ywyw',
  },
} as const

/** Packed matmul C [m, n] of `layout` with texelFetch, its K loop unrolled `unroll` times. */
function fetchMatMul(
  layout: keyof typeof FETCH_LAYOUTS,
  m: number,
  k: number,
  n: number,
  unroll: number,
): GPGPUProgram {
  const { a, b, combine } = FETCH_LAYOUTS[layout]
  const kp = Math.ceil(k / 2)
  const body = (off: string) => `
          a = texelFetch(A, ${a(`i${off}`)}, 0);
          b = texelFetch(B, ${b(`i${off}`)}, 0);
          result += ${combine};`
  const main = Math.floor(kp / unroll) * unroll
  let unrolled = ''
  for (let u = 0; u < unroll; u++) unrolled += body(u === 0 ? '' : ` + ${u}`)
  return {
    variableNames: ['A', 'B'],
    outputShape: [m, n],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      void main() {
        ivec2 p = ivec2(gl_FragCoord.xy);
        int r = p.y;
        int c = p.x;
        vec4 result = vec4(0.0);
        vec4 a;
        vec4 b;
        for (int i = 0; i < ${main}; i += ${unroll}) {${unrolled}
        }
        for (int i = ${main}; i < ${kp}; i++) {${body('')}
        }
        setOutput(result);
      }`,
  }
}

/** Forward-shaped loop (K=785) with only the fetches, or only the arithmetic. */
function probeProgram(m: number, k: number, n: number, kind: 'fetch' | 'alu'): GPGPUProgram {
  const kp = Math.ceil(k / 2)
  const body =
    kind === 'fetch'
      ? `a = texelFetch(A, ivec2(i, ar), 0); b = texelFetch(B, ivec2(bc, i), 0); result += a + b;`
      : `a = a.yzwx + result; b = b.wxyz * result; result += a.xxzz * b.xyxy + a.yyww * b.zwzw;`
  return {
    variableNames: ['A', 'B'],
    outputShape: [m, n],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      void main() {
        ivec2 p = ivec2(gl_FragCoord.xy);
        int ar = p.y;
        int bc = p.x;
        vec4 result = vec4(0.0);
        vec4 a = vec4(float(ar));
        vec4 b = vec4(float(bc));
        for (int i = 0; i < ${kp}; i++) { ${body} }
        setOutput(result);
      }`,
  }
}

function emptyProgram(shape: number[]): GPGPUProgram {
  return {
    variableNames: ['A'],
    outputShape: shape,
    packedInputs: true,
    packedOutput: true,
    userCode: 'void main() { setOutput(vec4(1.0)); }',
  }
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.max(tf.abs(tf.sub(a, b)))
  const v = (await d.data())[0]!
  d.dispose()
  return v
}

/** A raw WebGL2 program drawing a full-screen triangle into `targets` textures (MRT). */
function rawProgram(gl: WebGL2RenderingContext, fragment: string): WebGLProgram {
  const vs = gl.createShader(gl.VERTEX_SHADER)!
  gl.shaderSource(
    vs,
    `#version 300 es
    void main() {
      vec2 p = vec2(float((gl_VertexID & 1) * 4 - 1), float((gl_VertexID & 2) * 2 - 1));
      gl_Position = vec4(p, 0.0, 1.0);
    }`,
  )
  gl.compileShader(vs)
  const fs = gl.createShader(gl.FRAGMENT_SHADER)!
  gl.shaderSource(fs, fragment)
  gl.compileShader(fs)
  if (!gl.getShaderParameter(fs, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(fs) ?? '')
  const program = gl.createProgram()!
  gl.attachShader(program, vs)
  gl.attachShader(program, fs)
  gl.linkProgram(program)
  if (!gl.getProgramParameter(program, gl.LINK_STATUS))
    throw new Error(gl.getProgramInfoLog(program) ?? '')
  return program
}

/** Forward x·W1 with a 2×2-texel tile per fragment, written to 4 render targets. */
function mrtForward(kp: number, tr: number, tc: number): string {
  let decl = ''
  let sums = ''
  let body = ''
  let outs = ''
  for (let i = 0; i < tr; i++) body += `vec4 a${i} = texelFetch(A, ivec2(i, r0 + ${i}), 0);\n`
  for (let j = 0; j < tc; j++) body += `vec4 b${j} = texelFetch(B, ivec2(c0 + ${j}, i), 0);\n`
  for (let i = 0; i < tr; i++) {
    for (let j = 0; j < tc; j++) {
      const t = i * tc + j
      decl += `layout(location = ${t}) out vec4 o${t};\n`
      sums += `vec4 s${t} = vec4(0.0);\n`
      body += `s${t} += a${i}.xxzz * b${j}.xyxy + a${i}.yyww * b${j}.zwzw;\n`
      outs += `o${t} = s${t};\n`
    }
  }
  return `#version 300 es
    precision highp float;
    precision highp int;
    precision highp sampler2D;
    uniform sampler2D A;
    uniform sampler2D B;
    ${decl}
    void main() {
      ivec2 p = ivec2(gl_FragCoord.xy);
      int r0 = ${tr} * p.y;
      int c0 = ${tc} * p.x;
      ${sums}
      for (int i = 0; i < ${kp}; i++) {
        ${body}
      }
      ${outs}
    }`
}

function mrtCase(a: tf.Tensor, b: tf.Tensor, tr: number, tc: number) {
  const be = backend()
  const gl = gl2()
  const kp = Math.ceil(a.shape[1]! / 2)
  const program = rawProgram(gl, mrtForward(kp, tr, tc))
  const w = Math.ceil(Math.ceil(b.shape[1]! / 2) / tc)
  const h = Math.ceil(Math.ceil(a.shape[0]! / 2) / tr)
  const n = tr * tc
  const fb = gl.createFramebuffer()!
  gl.bindFramebuffer(gl.FRAMEBUFFER, fb)
  const textures: WebGLTexture[] = []
  for (let t = 0; t < n; t++) {
    const tex = gl.createTexture()!
    gl.bindTexture(gl.TEXTURE_2D, tex)
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA32F, w, h)
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + t, gl.TEXTURE_2D, tex, 0)
    textures.push(tex)
  }
  gl.drawBuffers(textures.map((_, t) => gl.COLOR_ATTACHMENT0 + t))
  gl.bindFramebuffer(gl.FRAMEBUFFER, be.gpgpu.framebuffer)
  const vao = gl.createVertexArray()
  const locA = gl.getUniformLocation(program, 'A')
  const locB = gl.getUniformLocation(program, 'B')
  gl.bindFramebuffer(gl.FRAMEBUFFER, fb)
  const status = gl.checkFramebufferStatus(gl.FRAMEBUFFER)
  gl.bindFramebuffer(gl.FRAMEBUFFER, be.gpgpu.framebuffer)
  if (status !== gl.FRAMEBUFFER_COMPLETE) throw new Error(`framebuffer status ${status}`)
  let checked = false
  rawSync = () => {
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb)
    gl.readBuffer(gl.COLOR_ATTACHMENT0)
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, new Float32Array(4))
    gl.bindFramebuffer(gl.FRAMEBUFFER, be.gpgpu.framebuffer)
  }
  return (): Out => {
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb)
    gl.viewport(0, 0, w, h)
    gl.scissor(0, 0, w, h)
    gl.useProgram(program)
    gl.bindVertexArray(vao)
    gl.activeTexture(gl.TEXTURE0)
    gl.bindTexture(gl.TEXTURE_2D, be.texData.get(a.dataId).texture!.texture)
    gl.uniform1i(locA, 0)
    gl.activeTexture(gl.TEXTURE1)
    gl.bindTexture(gl.TEXTURE_2D, be.texData.get(b.dataId).texture!.texture)
    gl.uniform1i(locB, 1)
    gl.drawArrays(gl.TRIANGLES, 0, 3)
    if (!checked) {
      checked = true
      const e = gl.getError()
      if (e !== gl.NO_ERROR) throw new Error(`GL error ${e} after the MRT draw`)
      // Compare texel (0, 0) of target 0 with the reference.
      // Compare the last texel of target 0 with the reference.
      gl.readBuffer(gl.COLOR_ATTACHMENT0)
      const px = new Float32Array(4)
      gl.readPixels(w - 1, h - 1, 1, 1, gl.RGBA, gl.FLOAT, px)
      const r = 2 * tr * (h - 1)
      const c = 2 * tc * (w - 1)
      const ref = tf.matMul(a, b).slice([r, c], [2, 2]).dataSync()
      if (Math.abs(px[0]! - ref[0]!) > 1e-3 || Math.abs(px[3]! - ref[3]!) > 1e-3) {
        throw new Error(`MRT result ${Array.from(px)} differs from ${Array.from(ref)}`)
      }
      console.log(`MRT ${tr}x${tc} ok: ${Array.from(px)} vs ${Array.from(ref)}`)
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, be.gpgpu.framebuffer)
    return undefined
  }
}

export interface LabRow {
  name: string
  ms: number
  /** CPU ms of all Chromium processes per call (10 ms clock ticks: use many reps). */
  cpuMs?: number
  note?: string
}

/** One kernel call of a step, captured to be replayed alone. */
interface CapturedCall {
  name: string
  inputs: tf.NamedTensorMap
  attrs: tf.NamedAttrMap
}

/**
 * The kernels of one fast-path step (the lesson's network, real MNIST, batch 64), each replayed
 * alone with that step's inputs and attributes: the step's calls are captured by wrapping
 * `runKernel` for one step, their inputs kept alive with `tf.clone`.
 */
export async function webglStepLab(reps = 30, source = new URL('/data/', location.href).href) {
  const rows: LabRow[] = []
  const add = async (name: string, fn: () => Out) => {
    let best = Number.POSITIVE_INFINITY
    let bestCpu = Number.NaN
    for (let trial = 0; trial < 3; trial++) {
      const ms = await timeIt(fn, reps)
      if (ms < best) {
        best = ms
        bestCpu = lastCpuMs
      }
    }
    rows.push({ name, ms: best, cpuMs: bestCpu })
  }
  const train = await loadMnist(source, true)
  manualSeed(0)
  const model = new SimpleNN()
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  const trainLoader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 })
  const engine = await FastEngine.create({
    model,
    optimizer,
    criterion: new CrossEntropyLoss(),
    trainLoader,
  })
  const batches = engine.epochIndices()[Symbol.iterator]()
  const next = () => batches.next().value as Int32Array
  // A few steps compile every program.
  for (let i = 0; i < 5; i++) engine.step(next()).stats.dispose()
  await add('whole step (FastEngine.step, stats not read)', () => engine.step(next()).stats)
  const calls: CapturedCall[] = []
  const kernels = tf.engine()
  const runKernel = kernels.runKernel
  kernels.runKernel = ((name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => {
    if (name.startsWith('Tensorloom')) {
      const kept = Object.fromEntries(
        Object.entries(inputs).map(([k, t]) => [k, tf.keep(t.clone())]),
      )
      calls.push({ name, inputs: kept, attrs: attrs ?? {} })
    }
    return runKernel.call(kernels, name, inputs, attrs)
  }) as typeof runKernel
  try {
    engine.step(next()).stats.dispose()
  } finally {
    kernels.runKernel = runKernel
  }
  for (const call of calls) {
    const shapes = Object.entries(call.inputs)
      .map(([k, t]) => `${k}[${t.shape}]`)
      .join(' ')
    const flags = ['transposeA', 'transposeB', 'relu']
      .filter((f) => (call.attrs as Record<string, unknown>)[f] === true)
      .join(' ')
    await add(
      `${call.name.replace('Tensorloom', '')} ${shapes} ${flags}`,
      () => kernels.runKernel(call.name, call.inputs, call.attrs) as tf.Tensor | tf.Tensor[],
    )
    tf.dispose(Object.values(call.inputs))
  }
  const tiny = tf.add(tf.randomNormal([2, 2]), 0)
  await add('tiny add [2,2] (fixed cost of a draw)', () => tf.add(tiny, tiny))
  tiny.dispose()
  engine.dispose()
  optimizer.dispose()
  model.dispose()
  train.dispose()
  return rows
}

/** Runs the lab cases; returns ms per call of each. */
export async function webglLab(reps = 30): Promise<LabRow[]> {
  const rows: LabRow[] = []
  const add = async (name: string, fn: () => Out, note?: string) => {
    await timeIt(fn, 5)
    const ms = await timeIt(fn, reps)
    rows.push({ name, ms, ...(note ? { note } : {}) })
  }
  const B = 64
  const x = packed(rand([B, 785], 1))
  const w1 = packed(tf.mul(rand([785, 130], 2), 0.05))
  const h = packed(tf.relu(rand([B, 130], 3)))
  const w2 = packed(tf.mul(rand([130, 10], 4), 0.05))
  const dy = packed(rand([B, 10], 5))
  const dh = packed(rand([B, 130], 6))
  const tiny = packed(rand([2, 2], 7))
  const tiny2 = packed(rand([2, 2], 8))

  await add('tiny add [2,2] (fixed cost of a draw)', () => tf.add(tiny, tiny2))
  await add('empty program out [64,130]', () => runProgram(emptyProgram([B, 130]), [tiny]))
  await add('empty program out [785,130]', () => runProgram(emptyProgram([785, 130]), [tiny]))
  await add('tf fused matMul x[64,785]·W1[785,130] +relu', () =>
    tf.fused.matMul({ a: x as tf.Tensor2D, b: w1 as tf.Tensor2D, activation: 'relu' }),
  )
  await add('tf matMul x[64,785]·W1[785,130]', () => tf.matMul(x, w1))
  for (const [tr, tc] of [
    [1, 1],
    [1, 2],
    [2, 2],
    [2, 4],
  ] as const) {
    await add(`MRT ${tr}×${tc} texels per fragment x·W1 (raw GL)`, mrtCase(x, w1, tr, tc))
    rawSync = null
  }
  for (const u of [1, 2, 4, 8]) {
    await add(`fetch matMul NN x·W1 unroll ${u}`, () =>
      runProgram(fetchMatMul('NN', B, 785, 130, u), [x, w1]),
    )
  }
  const w1t = packed(tf.transpose(w1))
  const xt = packed(tf.transpose(x))
  const dht = packed(tf.transpose(dh))
  for (const u of [1, 4, 8]) {
    await add(`fetch matMul NT x·(W1ᵀ)ᵀ unroll ${u}`, () =>
      runProgram(fetchMatMul('NT', B, 785, 130, u), [x, w1t]),
    )
  }
  for (const u of [1, 4, 8]) {
    await add(`fetch matMul NT dW1 = xᵀ·(dhᵀ)ᵀ unroll ${u}`, () =>
      runProgram(fetchMatMul('NT', 785, B, 130, u), [xt, dht]),
    )
  }
  await add('tf transpose x [64,785]', () => tf.transpose(x))
  const refNT = tf.matMul(x, w1)
  const candNT = runProgram(fetchMatMul('NT', B, 785, 130, 4), [x, w1t])
  rows.push({ name: 'check NT fwd max |diff|', ms: await maxDiff(refNT, candNT) })
  const refNT2 = tf.matMul(x, dh, true, false)
  const candNT2 = runProgram(fetchMatMul('NT', 785, B, 130, 4), [xt, dht])
  rows.push({ name: 'check NT dW1 max |diff|', ms: await maxDiff(refNT2, candNT2) })
  tf.dispose([w1t, xt, dht, refNT, candNT, refNT2, candNT2])
  {
    const gl = gl2()
    const fb = gl.createFramebuffer()!
    const buf = gl.createBuffer()!
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buf)
    gl.bufferData(gl.PIXEL_PACK_BUFFER, 32 * 65 * 16, gl.STREAM_COPY)
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null)
    rows.push({
      name: `max uniform block size ${gl.getParameter(gl.MAX_UNIFORM_BLOCK_SIZE)}, fragment blocks ${gl.getParameter(gl.MAX_FRAGMENT_UNIFORM_BLOCKS)}`,
      ms: 0,
    })
    const ubo = () => {
      copyToBuffer(dh, buf, fb)
      gl.bindBufferBase(gl.UNIFORM_BUFFER, 0, buf)
      return runProgram(uboMatMulTN(785, B, 130), [x])
    }
    await add('ubo matMul TN dW1 (dH in a uniform block, incl. copy)', ubo)
    await add('copy dH to buffer only', () => {
      copyToBuffer(dh, buf, fb)
      return undefined
    })
    const refU = tf.matMul(x, dh, true, false)
    const candU = ubo()
    rows.push({ name: 'check ubo dW1 max |diff|', ms: await maxDiff(refU, candU) })
    tf.dispose([refU, candU])
  }
  await add('probe: fetches only (K=785 loop)', () =>
    runProgram(probeProgram(B, 785, 130, 'fetch'), [x, w1]),
  )
  await add('probe: arithmetic only (K=785 loop)', () =>
    runProgram(probeProgram(B, 785, 130, 'alu'), [x, w1]),
  )
  await add('tf matMul dW1 = xᵀ[785,64]·dh[64,130]', () => tf.matMul(x, dh, true, false))
  for (const u of [1, 2, 4, 8]) {
    await add(`fetch matMul TN dW1 unroll ${u}`, () =>
      runProgram(fetchMatMul('TN', 785, B, 130, u), [x, dh]),
    )
  }
  await add('tf fused matMul h[64,130]·W2[130,10]', () =>
    tf.fused.matMul({ a: h as tf.Tensor2D, b: w2 as tf.Tensor2D }),
  )
  await add('tf matMul dW2 = hᵀ·dy [130,10]', () => tf.matMul(h, dy, true, false))
  await add('tf matMul dH = dy·W2ᵀ [64,130]', () => tf.matMul(dy, w2, false, true))

  // Correctness of the candidates.
  const ref = tf.matMul(x, w1)
  const cand = runProgram(fetchMatMul('NN', B, 785, 130, 4), [x, w1])
  const refT = tf.matMul(x, dh, true, false)
  const candT = runProgram(fetchMatMul('TN', 785, B, 130, 4), [x, dh])
  rows.push({ name: 'check NN max |diff|', ms: await maxDiff(ref, cand) })
  rows.push({ name: 'check TN max |diff|', ms: await maxDiff(refT, candT) })
  await add('tiny add [2,2] again', () => tf.add(tiny, tiny2))
  await add('empty program out [64,130] again', () => runProgram(emptyProgram([B, 130]), [tiny]))
  tf.dispose([ref, cand, refT, candT, x, w1, h, w2, dy, dh, tiny, tiny2])
  return rows
}

/**
 * Tensorloom's WebGL matmul kernel (`TensorloomMatMul`, registered by the fast engine) against
 * tfjs' matMul on the same backend, for every transpose combination, the lesson's shapes (which
 * take the multi-target path) and small odd ones: the largest difference relative to the largest
 * magnitude of each product.
 */
export async function matMulCheck(): Promise<Array<{ name: string; relative: number }>> {
  const cases: Array<[number, number, number, boolean, boolean, boolean]> = [
    [64, 785, 130, false, false, true],
    [785, 64, 130, true, false, false],
    [64, 10, 130, false, true, false],
    [64, 130, 10, false, false, false],
    [130, 64, 10, true, false, false],
    [5, 7, 3, false, false, true],
    [5, 7, 3, true, true, false],
    [33, 41, 66, false, true, false],
    [66, 200, 40, true, false, true],
  ]
  const out: Array<{ name: string; relative: number }> = []
  for (const [m, k, n, ta, tb, relu] of cases) {
    const a = packed(rand(ta ? [k, m] : [m, k], m + k))
    const b = packed(rand(tb ? [n, k] : [k, n], n + k))
    const got = tf.engine().runKernel('TensorloomMatMul', { a, b }, {
      transposeA: ta,
      transposeB: tb,
      relu,
    } as unknown as tf.NamedAttrMap) as tf.Tensor
    const product = tf.matMul(a, b, ta, tb)
    const want = relu ? tf.relu(product) : tf.clone(product)
    const scale = (await tf.max(tf.abs(want)).data())[0]!
    const diff = await maxDiff(got, want)
    out.push({
      name: `${m}x${k}x${n}${ta ? ' Aᵀ' : ''}${tb ? ' Bᵀ' : ''}${relu ? ' relu' : ''}`,
      relative: diff / scale,
    })
    tf.dispose([a, b, got, product, want])
  }
  // With a mask (a ReLU's gradient: dH = dY·W2ᵀ where the layer's output is positive).
  const dy = packed(rand([64, 10], 1))
  const w2 = packed(rand([130, 10], 2))
  const h = packed(tf.relu(rand([64, 130], 3)))
  const got = tf.engine().runKernel('TensorloomMatMul', { a: dy, b: w2, mask: h }, {
    transposeA: false,
    transposeB: true,
    relu: false,
  } as unknown as tf.NamedAttrMap) as tf.Tensor
  const want = tf.mul(tf.matMul(dy, w2, false, true), tf.step(h))
  const scale = (await tf.max(tf.abs(want)).data())[0]!
  out.push({ name: '64x10x130 Bᵀ mask', relative: (await maxDiff(got, want)) / scale })
  tf.dispose([dy, w2, h, got, want])
  return out
}

/** Optimizers the WebGL parity check trains with (each update rule's variants). */
const PARITY_OPTIMIZERS: Record<string, (params: tf.Variable[]) => Optimizer<object>> = {
  adam: (p) => new Adam(p, { lr: 1e-3 }),
  'adam-l2-maximize': (p) => new Adam(p, { lr: 1e-3, weightDecay: 0.01, maximize: true }),
  'adamw-amsgrad': (p) => new AdamW(p, { lr: 2e-3, weightDecay: 0.05, amsgrad: true }),
  sgd: (p) => new SGD(p, { lr: 0.05 }),
  'sgd-momentum-dampening': (p) => new SGD(p, { lr: 0.01, momentum: 0.9, dampening: 0.1 }),
  'sgd-nesterov-l2': (p) =>
    new SGD(p, { lr: 0.02, momentum: 0.8, nesterov: true, weightDecay: 1e-3 }),
}

/** What {@link smallParity} reports. */
export interface SmallParity {
  reference: number[]
  fast: number[]
  /** Which kernels the fast engine ran (`'webgl'` on the WebGL backend). */
  kernels: 'js' | 'webgl' | null
  weights: number
  state: number
}

/** Options of {@link smallParity}. */
export interface SmallParityOptions {
  /** Default 64. */
  batchSize?: number
  /** A key of {@link PARITY_OPTIMIZERS}; default `'adam'`. */
  optimizer?: string
  /** Sets the flag `TENSORLOOM_WEBGL_UNIFORM_VECTORS` for the fast run (texture paths when low). */
  uniformVectors?: number
}

/**
 * The fast and the reference path for `steps` steps from the same initial weights on the same
 * batches of a small synthetic MNIST-like set (no download, a small resident upload): both runs'
 * per-step losses, and the largest differences of the weights and of the optimizer state after
 * them (relative to the largest magnitude). Registers the fast path's WebGL kernels.
 */
export async function smallParity(
  steps = 3,
  options: SmallParityOptions = {},
): Promise<SmallParity> {
  const count = 512
  const data = new Uint8Array(count * 784)
  let seed = 12345
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0
    data[i] = seed >>> 24 < 160 ? 0 : seed >>> 24
  }
  const targets = Uint8Array.from({ length: count }, (_, i) => (i * 7) % 10)
  const train = new MNIST({
    data,
    targets,
    shape: [count, 28, 28],
    train: true,
    transform: lessonTransform(),
  })
  // Every weight and optimizer buffer (by parameter, then by name), flattened.
  const read = async (model: SimpleNN, optimizer: Optimizer<object>) => {
    const buffers = Object.values(optimizer.stateDict().state).flatMap((entry) =>
      Object.entries(entry)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, v]) => v)
        .filter((v): v is tf.Tensor => typeof v !== 'number'),
    )
    const weights = await Promise.all(model.parameters().map((p) => p.data()))
    const state = await Promise.all(buffers.map((b) => b.data()))
    tf.dispose(buffers)
    return { weights, state }
  }
  const setup = {
    batchSize: options.batchSize ?? 64,
    optimizer: PARITY_OPTIMIZERS[options.optimizer ?? 'adam'],
  }
  const flag = 'TENSORLOOM_WEBGL_UNIFORM_VECTORS'
  const run = async (fast: boolean) => {
    if (fast && options.uniformVectors !== undefined) {
      tf.env().registerFlag(flag, () => -1)
      tf.env().set(flag, options.uniformVectors)
    }
    try {
      const { losses, inspected, kernels } = await parityRun(train, steps, fast, read, setup)
      return { losses, kernels, ...inspected! }
    } finally {
      if (fast && options.uniformVectors !== undefined) tf.env().set(flag, -1)
    }
  }
  const worst = (a: ArrayLike<number>[], b: ArrayLike<number>[]) => {
    let diff = 0
    let scale = 0
    a.forEach((x, i) => {
      for (let j = 0; j < x.length; j++) {
        diff = Math.max(diff, Math.abs(x[j]! - b[i]![j]!))
        scale = Math.max(scale, Math.abs(x[j]!))
      }
    })
    if (a.length !== b.length) return Number.POSITIVE_INFINITY
    return scale > 0 ? diff / scale : diff
  }
  const reference = await run(false)
  const fast = await run(true)
  train.dispose()
  return {
    reference: reference.losses,
    fast: fast.losses,
    kernels: fast.kernels,
    weights: worst(reference.weights, fast.weights),
    state: worst(reference.state, fast.state),
  }
}
