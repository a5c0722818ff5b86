const S = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
  20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6,
  10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0)

/**
 * Incremental MD5 (RFC 1321) in plain TypeScript, for checking downloads where `node:crypto` is not
 * available (browsers: Web Crypto has no MD5). MD5 is used only to detect corrupted downloads, as
 * torchvision does, not for security.
 */
export class Md5 {
  private a = 0x67452301
  private b = 0xefcdab89 | 0
  private c = 0x98badcfe | 0
  private d = 0x10325476
  private readonly block = new Uint8Array(64)
  private readonly words = new Int32Array(16)
  private blockLength = 0
  private totalLength = 0
  private finished = false

  /** Feeds more bytes. */
  update(bytes: Uint8Array): this {
    if (this.finished) throw new Error('Md5: update() after digest()')
    this.totalLength += bytes.length
    let offset = 0
    if (this.blockLength > 0) {
      const take = Math.min(64 - this.blockLength, bytes.length)
      this.block.set(bytes.subarray(0, take), this.blockLength)
      this.blockLength += take
      offset = take
      if (this.blockLength < 64) return this
      this.compress(this.block, 0)
      this.blockLength = 0
    }
    for (; offset + 64 <= bytes.length; offset += 64) this.compress(bytes, offset)
    if (offset < bytes.length) {
      this.block.set(bytes.subarray(offset), 0)
      this.blockLength = bytes.length - offset
    }
    return this
  }

  /** Finishes and returns the digest as 32 lowercase hex digits. */
  digestHex(): string {
    if (!this.finished) {
      const bitsLow = (this.totalLength * 8) >>> 0
      const bitsHigh = Math.floor((this.totalLength * 8) / 2 ** 32) >>> 0
      const pad = new Uint8Array((this.blockLength < 56 ? 56 : 120) - this.blockLength + 8)
      pad[0] = 0x80
      const n = pad.length
      for (let i = 0; i < 4; i++) {
        pad[n - 8 + i] = (bitsLow >>> (8 * i)) & 0xff
        pad[n - 4 + i] = (bitsHigh >>> (8 * i)) & 0xff
      }
      const total = this.totalLength
      this.update(pad)
      this.totalLength = total
      this.finished = true
    }
    let hex = ''
    for (const word of [this.a, this.b, this.c, this.d]) {
      for (let i = 0; i < 4; i++) hex += ((word >>> (8 * i)) & 0xff).toString(16).padStart(2, '0')
    }
    return hex
  }

  private compress(bytes: Uint8Array, offset: number): void {
    const m = this.words
    for (let j = 0; j < 16; j++) {
      const o = offset + 4 * j
      m[j] = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)
    }
    let a = this.a
    let b = this.b
    let c = this.c
    let d = this.d
    for (let i = 0; i < 64; i++) {
      let f: number
      let g: number
      if (i < 16) {
        f = (b & c) | (~b & d)
        g = i
      } else if (i < 32) {
        f = (d & b) | (~d & c)
        g = (5 * i + 1) & 15
      } else if (i < 48) {
        f = b ^ c ^ d
        g = (3 * i + 5) & 15
      } else {
        f = c ^ (b | ~d)
        g = (7 * i) & 15
      }
      f = (f + a + K[i]! + m[g]!) | 0
      a = d
      d = c
      c = b
      const s = S[i]!
      b = (b + ((f << s) | (f >>> (32 - s)))) | 0
    }
    this.a = (this.a + a) | 0
    this.b = (this.b + b) | 0
    this.c = (this.c + c) | 0
    this.d = (this.d + d) | 0
  }
}

/** MD5 of `bytes` as 32 lowercase hex digits (see {@link Md5}). */
export function md5Hex(bytes: Uint8Array): string {
  return new Md5().update(bytes).digestHex()
}
