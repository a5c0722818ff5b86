import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
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
      expect(gunzip(gzipSync(payload, { level }))).toEqual(payload)
    }
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
