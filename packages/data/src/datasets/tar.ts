/** Reads the regular files of a (ustar or GNU) tar archive held in memory. */
export function readTar(bytes: Uint8Array): { name: string; data: Uint8Array }[] {
  const out: { name: string; data: Uint8Array }[] = []
  const text = (from: number, len: number) => {
    const b = bytes.subarray(from, from + len)
    const end = b.indexOf(0)
    return new TextDecoder().decode(end < 0 ? b : b.subarray(0, end))
  }
  let at = 0
  let longName: string | undefined
  while (at + 512 <= bytes.length) {
    if (bytes.subarray(at, at + 512).every((b) => b === 0)) break
    const size = Number.parseInt(text(at + 124, 12).trim() || '0', 8)
    if (!Number.isFinite(size) || size < 0) throw new Error(`bad tar header at byte ${at}`)
    const type = String.fromCharCode(bytes[at + 156]!)
    const prefix = text(at + 345, 155)
    const name = longName ?? (prefix ? `${prefix}/${text(at, 100)}` : text(at, 100))
    const start = at + 512
    if (start + size > bytes.length) throw new Error(`truncated tar: ${name} needs ${size} bytes`)
    longName = undefined
    if (type === 'L') longName = text(start, size)
    else if (type === '0' || type === '\0')
      out.push({ name, data: bytes.subarray(start, start + size) })
    at = start + Math.ceil(size / 512) * 512
  }
  return out
}
