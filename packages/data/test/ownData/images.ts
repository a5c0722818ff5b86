/** PNG and JPEG files for the tests, written with fast-png and jpeg-js and by hand (for broken ones). */
import { crc32, deflateSync } from 'node:zlib'
import { encode as encodePng } from 'fast-png'
import jpeg from 'jpeg-js'

/** A PNG of `pixels` (`channels` 1 = gray, 3 = RGB, 4 = RGBA). */
export function png(
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  pixels?: Uint8Array,
): Uint8Array {
  const data =
    pixels ?? Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 37) % 256)
  return encodePng({ width, height, data, channels, depth: 8 })
}

/** An RGB JPEG (quality 95). */
export function jpg(width: number, height: number, rgb?: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(width * height * 4)
  for (let p = 0; p < width * height; p++) {
    rgba[p * 4] = rgb ? rgb[p * 3]! : (p * 5) % 256
    rgba[p * 4 + 1] = rgb ? rgb[p * 3 + 1]! : (p * 11) % 256
    rgba[p * 4 + 2] = rgb ? rgb[p * 3 + 2]! : 128
    rgba[p * 4 + 3] = 255
  }
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, 95).data)
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(body.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0)
  return Buffer.concat([head, body, crc])
}

/** A PNG whose header says `width x height` (gray, 8 bits) and whose data is `idat`. */
export function handMadePng(width: number, height: number, idat: Uint8Array): Uint8Array {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8
  ihdr[9] = 0
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', idat),
      chunk('IEND', new Uint8Array(0)),
    ]),
  )
}

/** A 16 x 16 PNG whose image data inflates to `mib` MiB (a decompression bomb). */
export function pngBomb(mib: number): Uint8Array {
  return handMadePng(16, 16, deflateSync(new Uint8Array(mib * 2 ** 20), { level: 9 }))
}
