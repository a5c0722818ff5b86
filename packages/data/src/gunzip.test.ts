import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { gzipBomb } from '../test/helpers.js'
import { IdxError } from './errors.js'
import { crc32, gunzip, isGzip } from './gunzip.js'

const payload = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 251)

function expectBadGzip(fn: () => unknown, reason: RegExp): void {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(IdxError)
    expect((error as IdxError).code).toBe('IDX_BAD_GZIP')
    expect((error as IdxError).file).toBe('x.gz')
    expect((error as IdxError).message).toMatch(reason)
    return
  }
  throw new Error('expected IDX_BAD_GZIP')
}

describe('gunzip', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array(0))).toBe(0)
  })

  it('detects gzip by its magic bytes only', () => {
    expect(isGzip(gzipSync(payload))).toBe(true)
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false)
    expect(isGzip(new Uint8Array([0, 0, 8, 1]))).toBe(false)
  })

  it('inflates what zlib compressed, at every level', () => {
    for (const level of [0, 1, 9]) {
      expect(gunzip(gzipSync(payload, { level }))).toEqual({ data: payload, limit: Infinity })
    }
  })

  it('inflates a large file exactly, through many stream steps', () => {
    const big = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256)
    const out = gunzip(gzipSync(big, { level: 1 }), 'big.gz', { maxBytes: big.length })
    expect(out.stopped).toBeUndefined()
    expect(Buffer.compare(out.data, big)).toBe(0)
  })

  it('stops once the output passes maxBytes, leaving the trailer unchecked', () => {
    const gz = gzipSync(payload)
    gz[gz.length - 8]! ^= 0xff
    const out = gunzip(gz, 'x.gz', { maxBytes: payload.length - 1 })
    expect(out.stopped).toBe('limit')
    expect(out.limit).toBe(payload.length - 1)
    expect(out.data.length).toBeLessThanOrEqual(payload.length - 1)
  })

  it('stops a gzip bomb at the cap, holding no more than the cap', () => {
    const bomb = gzipBomb(new Uint8Array(0), 256)
    const out = gunzip(bomb, 'bomb.gz', { maxBytes: 2 ** 20 })
    expect(out).toMatchObject({ stopped: 'limit', limit: 2 ** 20 })
    expect(out.data.length).toBeLessThanOrEqual(2 ** 20)
    expect(out.data.buffer.byteLength).toBeLessThanOrEqual(2 ** 20)
  })

  it('inflates exactly maxBytes without stopping', () => {
    expect(gunzip(gzipSync(payload), 'x.gz', { maxBytes: payload.length }).data).toEqual(payload)
  })

  it('asks sizeFromHead until it decides, then holds the output to that size', () => {
    const heads: number[] = []
    const size = (head: Uint8Array) => {
      heads.push(head.length)
      return head.length < 100 ? 'more' : 4000
    }
    const out = gunzip(gzipSync(payload), 'x.gz', { sizeFromHead: size })
    expect(out).toMatchObject({ stopped: 'limit', limit: 4000 })
    expect(heads.at(-1)).toBeGreaterThanOrEqual(100)
    expect(heads.slice(0, -1).every((n) => n < 100)).toBe(true)
  })

  it("returns the first bytes when sizeFromHead says 'stop'", () => {
    const out = gunzip(gzipSync(payload), 'x.gz', { sizeFromHead: () => 'stop' })
    expect(out.stopped).toBe('head')
    expect(out.data.length).toBeGreaterThan(0)
    expect(out.data).toEqual(payload.subarray(0, out.data.length))
  })

  it('lets an error thrown by sizeFromHead through as it is', () => {
    const error = new IdxError('IDX_BAD_MAGIC', { file: 'x.gz', magic: [1, 2, 3, 4] })
    expect(() =>
      gunzip(gzipSync(payload), 'x.gz', {
        sizeFromHead: () => {
          throw error
        },
      }),
    ).toThrow(error)
  })

  it('rejects a damaged CRC in the trailer', () => {
    const gz = gzipSync(payload)
    gz[gz.length - 8]! ^= 0xff
    expectBadGzip(() => gunzip(gz, 'x.gz'), /CRC-32/)
  })

  it('rejects a wrong length in the trailer', () => {
    const gz = gzipSync(payload)
    gz[gz.length - 4]! ^= 0x01
    expectBadGzip(() => gunzip(gz, 'x.gz'), /trailer says/)
  })

  it('rejects damaged compressed data', () => {
    const gz = gzipSync(payload)
    for (let i = 12; i < gz.length - 8; i += 7) {
      const bad = gz.slice()
      bad[i]! ^= 0x55
      expectBadGzip(() => gunzip(bad, 'x.gz'), /corrupt/)
    }
  })

  it('rejects an unknown compression method', () => {
    const gz = gzipSync(payload)
    gz[2] = 7
    expectBadGzip(() => gunzip(gz, 'x.gz'), /compression method 7/)
  })
})

describe('gunzip of multi-member files (cat a.gz b.gz)', () => {
  const a = payload.subarray(0, 1234)
  const b = payload.subarray(1234)
  const cat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts))

  it('inflates the members in order, as gzip -d does', () => {
    const gz = cat(gzipSync(a), gzipSync(b, { level: 0 }))
    expect(gunzip(gz, 'x.gz').data).toEqual(payload)
    const many = cat(
      ...Array.from({ length: 50 }, (_, i) => gzipSync(payload.subarray(i * 100, i * 100 + 100))),
    )
    expect(gunzip(many, 'x.gz').data).toEqual(payload)
  })

  it('accepts empty members', () => {
    const empty = gzipSync(new Uint8Array(0))
    expect(gunzip(cat(empty, gzipSync(payload), empty), 'x.gz').data).toEqual(payload)
  })

  it("checks every member's trailer", () => {
    const first = gzipSync(a)
    first[first.length - 8]! ^= 0xff
    expectBadGzip(() => gunzip(cat(first, gzipSync(b)), 'x.gz'), /CRC-32 .*member 1|CRC-32/)
    const second = gzipSync(b)
    second[second.length - 4]! ^= 1
    expectBadGzip(() => gunzip(cat(gzipSync(a), second), 'x.gz'), /member 2, but the trailer/)
  })

  it('rejects garbage after the last member and a second member cut short', () => {
    expectBadGzip(() => gunzip(cat(gzipSync(payload), new Uint8Array(16)), 'x.gz'), /./)
    const second = gzipSync(b)
    for (const n of [1, 2, 10, 20, second.length - 8, second.length - 1]) {
      expectBadGzip(() => gunzip(cat(gzipSync(a), second.subarray(0, n)), 'x.gz'), /./)
    }
  })

  it('caps the output of all members together', () => {
    const out = gunzip(cat(gzipSync(a), gzipSync(b)), 'x.gz', { maxBytes: 2000 })
    expect(out).toMatchObject({ stopped: 'limit', limit: 2000 })
    expect(out.data.length).toBeLessThanOrEqual(2000)
  })
})
