// WebGL lab (page side): candidate shaders for the lesson's shapes, each timed alone on the
// `webgl` backend (see webglTiming.ts), next to tfjs' own programs. Driven by `src/webglLab.ts`
// (`lab`); not part of `pnpm bench`'s tables. Kept whole (a little over 400 lines): each candidate
// program sits next to the case that times it.
import * as tf from '@tensorflow/tfjs'
import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl'
import {
  backend,
  gl2,
  type LabRow,
  maxDiff,
  type Out,
  packed,
  rand,
  runProgram,
  setRawSync,
  timeIt,
} from './webglTiming'

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
  setRawSync(() => {
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb)
    gl.readBuffer(gl.COLOR_ATTACHMENT0)
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, new Float32Array(4))
    gl.bindFramebuffer(gl.FRAMEBUFFER, be.gpgpu.framebuffer)
  })
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
    setRawSync(null)
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
