import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Md5, md5Hex } from './md5.js'

describe('md5', () => {
  it('gives the RFC 1321 test-suite digests', () => {
    const vectors: [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
      [
        '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
        '57edf4a22be3c955ac49da2e2107b67a',
      ],
    ]
    for (const [text, digest] of vectors) {
      expect(md5Hex(new TextEncoder().encode(text))).toBe(digest)
    }
  })

  it('matches node:crypto for every length around the block and padding boundaries', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) & 0xff)
    for (let n = 0; n <= 300; n++) {
      const data = bytes.subarray(0, n)
      expect(md5Hex(data), `length ${n}`).toBe(createHash('md5').update(data).digest('hex'))
    }
  })

  it('gives the same digest however the input is split into updates', () => {
    const bytes = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 2654435761) >>> 24)
    const expected = createHash('md5').update(bytes).digest('hex')
    for (const step of [1, 3, 63, 64, 65, 4096, 70_000]) {
      const md5 = new Md5()
      for (let i = 0; i < bytes.length; i += step) md5.update(bytes.subarray(i, i + step))
      expect(md5.digestHex(), `chunks of ${step}`).toBe(expected)
    }
  })

  it('refuses updates after the digest and repeats the digest', () => {
    const md5 = new Md5().update(new Uint8Array([1, 2, 3]))
    const digest = md5.digestHex()
    expect(md5.digestHex()).toBe(digest)
    expect(() => md5.update(new Uint8Array([4]))).toThrow(/after digest/)
  })
})
