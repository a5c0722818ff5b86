// Hostile graph files on disk through the commands: each is refused with exit code 1 and a
// message naming the file and the problem, nothing is written, and nothing throws.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_DOCUMENT_BYTES, serializeGraph, templates } from '@tensorloom/graph'
import { afterAll, describe, expect, it } from 'vitest'
import { record, Tally } from '../../../scripts/reliability/meta.js'
import { type CliIO, main, nodeIO } from '../src/index.js'

// A safety guard against a runaway read or loop, not a speed target.
const MAX_MS = 10_000

const dir = mkdtempSync(join(tmpdir(), 'tensorloom-cli-hostile-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The real file system, with the terminal captured. */
function capture() {
  const out = { stdout: '', stderr: '' }
  const io: CliIO = {
    ...nodeIO,
    stdout: (t) => {
      out.stdout += t
    },
    stderr: (t) => {
      out.stderr += t
    },
  }
  return { io, out }
}

const lesson = serializeGraph(templates.lesson)
const compact = JSON.stringify(templates.lesson)
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

let seed = 99
const randomBytes = (n: number) =>
  Uint8Array.from({ length: n }, () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
    return seed >>> 24
  })

describe('reliability: hostile graph files', () => {
  it('tensorloom check and export on hostile files: exit 1, the problem named, nothing written', async ({
    task,
  }) => {
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from(lesson, 'utf16le')])
    const cases: [string, string, string][] = [
      [
        '100,000 levels of nesting',
        file(
          'deep.json',
          compact.replace('[0.1307]', `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
        ),
        'TOO_DEEP',
      ],
      ['12 MB', file('big.json', `${' '.repeat(12_000_000)}${lesson}`), 'DOCUMENT_TOO_LARGE'],
      [
        'a __proto__ key',
        file('proto.json', lesson.replace('{', '{"__proto__":{"polluted":true},')),
        'FORBIDDEN_KEY',
      ],
      ['binary garbage', file('garbage.json', randomBytes(4096)), 'NOT_JSON'],
      ['a UTF-16 file (Windows "Unicode")', file('utf16.json', utf16), 'NOT_JSON'],
      ['an empty file', file('empty.json', ''), 'NOT_JSON'],
      [
        '10,000 nodes',
        file(
          'nodes.json',
          JSON.stringify({
            version: 1,
            nodes: Array.from({ length: 10_000 }, (_, i) => ({ id: `n${i}`, type: 'ReLU' })),
            edges: [],
          }),
        ),
        'TOO_MANY_NODES',
      ],
      [
        'a NaN parameter',
        file('nan.json', compact.replace('"inFeatures":784', '"inFeatures":NaN')),
        'NOT_JSON',
      ],
      ['a directory', dir, 'cannot read'],
      ['a missing file', join(dir, 'missing.json'), 'cannot read'],
    ]
    const outcomes = new Tally()
    for (const [name, path, expected] of cases) {
      for (const command of ['check', 'export'] as const) {
        const { io, out } = capture()
        const output = join(dir, `out-${command}.py`)
        const argv =
          command === 'check' ? ['check', path] : ['export', path, '--to', 'pytorch', '-o', output]
        const start = performance.now()
        const code = await main(argv, io)
        expect(performance.now() - start, `${command} ${name}`).toBeLessThan(MAX_MS)
        expect(code, `${command} ${name}`).toBe(1)
        expect(out.stderr, `${command} ${name}`).toContain(expected)
        expect(out.stderr).toContain(path)
        // One short report, not a dump of the file.
        expect(out.stderr.length).toBeLessThan(2000)
        expect(existsSync(output)).toBe(false)
        outcomes.add(expected)
      }
    }
    record(task, cases.length * 2, `exit 1, nothing written: ${outcomes}`)
  })

  it('a graph file saved with a byte order mark is read', async ({ task }) => {
    const { io, out } = capture()
    expect(await main(['check', file('bom.json', `\uFEFF${lesson}`)], io)).toBe(0)
    expect(out.stdout).toContain('101,770')
    record(task, 1, 'loaded as without the mark')
  })

  it('an oversized input is refused after reading just past the size cap, an endless one before reading', async ({
    task,
  }) => {
    const inputs: [string, string][] = [
      ['/dev/zero', 'cannot read /dev/zero: [NOT_A_FILE] it is a character device'],
      [
        file('huge.json', new Uint8Array(MAX_DOCUMENT_BYTES + 10)),
        `cannot read ${join(dir, 'huge.json')}: [DOCUMENT_TOO_LARGE]`,
      ],
    ]
    for (const [path, message] of inputs) {
      const { io, out } = capture()
      const start = performance.now()
      expect(await main(['check', path], io)).toBe(1)
      expect(performance.now() - start, path).toBeLessThan(MAX_MS)
      expect(out.stderr).toContain(message)
    }
    record(
      task,
      inputs.length,
      'exit 1: NOT_A_FILE unread, DOCUMENT_TOO_LARGE after reading just past the cap',
    )
  })
})
