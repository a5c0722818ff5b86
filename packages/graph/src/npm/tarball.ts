/** The files of a package: path inside the package (`index.js`, `lib/a.js`) → text or bytes. */
export type PackageFiles = Record<string, string | Uint8Array>

/** npm's fixed mtime for packed files (1985-10-26T08:15:00Z): the same input, the same bytes. */
const MTIME = 499162500

function writeString(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = new TextEncoder().encode(text)
  if (bytes.length > length) throw new Error(`tar header field too long: ${text}`)
  block.set(bytes, offset)
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeString(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`)
}

/** A ustar header for a regular file; names over 100 bytes use the 155-byte prefix field. */
function header(path: string, size: number, mode: number): Uint8Array {
  const block = new Uint8Array(512)
  let name = path
  let prefix = ''
  if (new TextEncoder().encode(path).length > 100) {
    const cut = path.lastIndexOf('/', 155)
    if (cut <= 0) throw new Error(`path too long for a tarball: ${path}`)
    prefix = path.slice(0, cut)
    name = path.slice(cut + 1)
  }
  writeString(block, 0, 100, name)
  writeOctal(block, 100, 8, mode)
  writeOctal(block, 108, 8, 0) // uid
  writeOctal(block, 116, 8, 0) // gid
  writeOctal(block, 124, 12, size)
  writeOctal(block, 136, 12, MTIME)
  block.fill(0x20, 148, 156) // checksum counted as spaces
  block[156] = 0x30 // '0': a regular file
  writeString(block, 257, 6, 'ustar\0')
  writeString(block, 263, 2, '00')
  writeString(block, 345, 155, prefix)
  let sum = 0
  for (const byte of block) sum += byte
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `)
  return block
}

/** The uncompressed tar archive of `files` under `package/`, as `npm pack` lays it out. */
export function tar(files: PackageFiles): Uint8Array {
  const parts: Uint8Array[] = []
  const encoder = new TextEncoder()
  for (const [path, content] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (path.startsWith('/') || path.split('/').includes('..')) {
      throw new Error(`not a path inside the package: ${path}`)
    }
    const bytes = typeof content === 'string' ? encoder.encode(content) : content
    parts.push(header(`package/${path}`, bytes.length, 0o644))
    parts.push(bytes)
    const pad = (512 - (bytes.length % 512)) % 512
    if (pad > 0) parts.push(new Uint8Array(pad))
  }
  parts.push(new Uint8Array(1024)) // two zero blocks end the archive
  let total = 0
  for (const p of parts) total += p.length
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/**
 * The `.tgz` of `files` that `npm publish` and `npm install` take: a gzipped tar with every file
 * under `package/`. Gzips with the platform's `CompressionStream` (browsers, workers, Node ≥ 18).
 */
export async function packTarball(files: PackageFiles): Promise<Uint8Array> {
  const stream = new Blob([tar(files) as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('gzip'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}
