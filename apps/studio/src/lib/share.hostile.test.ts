// Hostile share links, opened files and autosaves: decompression bombs, oversized and damaged
// input. Each is refused with a message, within a time and memory bound, and the studio falls
// back to what it had; fast-check properties try arbitrary and mutated links.
import { constants, deflateRawSync, gzipSync } from 'node:zlib'
import { serializeGraph, templates } from '@tensorloom/graph'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { record, Tally } from '../../../../scripts/reliability/meta.js'
import { DOCUMENTS_KEY, documentKey, loadInitialGraph } from '../store/persistence'
import { MAX_DOCUMENT_BYTES, MAX_SHARE_LINK_CHARS } from './limits'
import { decodeGraph, encodeGraph, readGraphFile, SHARE_KEY } from './share'

// Guards against a runaway inflate, not speed targets: a bomb used to take 2 GB and 7 s.
const MAX_MS = 3000
const MAX_GROWTH = 200 * 2 ** 20

const toBase64Url = (bytes: Uint8Array) =>
  Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/**
 * Raw deflate of `head` then `zeroMiB` MiB of zeros, built without holding them: one flushed
 * segment of 1 MiB of zeros repeated (1 GiB of zeros is about 1 MB).
 */
function deflateBomb(head: Uint8Array, zeroMiB: number): Uint8Array {
  const segment = (bytes: Uint8Array) =>
    deflateRawSync(bytes, { level: 9, finishFlush: constants.Z_FULL_FLUSH })
  const zero = segment(new Uint8Array(2 ** 20))
  const parts = [
    segment(head),
    ...Array<Uint8Array>(zeroMiB).fill(zero),
    deflateRawSync(new Uint8Array(0)),
  ]
  return Uint8Array.from(Buffer.concat(parts))
}

function bounded<T>(fn: () => T): T {
  const before = process.memoryUsage().rss
  const start = performance.now()
  const value = fn()
  expect(performance.now() - start).toBeLessThan(MAX_MS)
  expect(process.memoryUsage().rss - before).toBeLessThan(MAX_GROWTH)
  return value
}

const lessonText = serializeGraph(templates.lesson)
const lessonHead = new TextEncoder().encode(lessonText.replace('"MNIST lesson"', '"MNIST lesson'))

describe('reliability: hostile share links and files', () => {
  it('decompression bombs as #graph= links (1 GiB and 2 GiB of zeros in 1.4 and 2.8 MB): refused at the document limit', ({
    task,
  }) => {
    const bombs: [string, Uint8Array][] = [
      ['1 GiB of zeros', deflateBomb(new Uint8Array(0), 1024)],
      ['a lesson whose name runs on for 1 GiB', deflateBomb(lessonHead, 1024)],
      ['2 GiB of zeros', deflateBomb(new Uint8Array(0), 2048)],
      ['6 MiB of spaces', deflateBomb(new TextEncoder().encode(' '.repeat(6 * 2 ** 20)), 0)],
    ]
    for (const [name, bytes] of bombs) {
      const link = toBase64Url(bytes)
      expect(link.length, name).toBeLessThan(MAX_SHARE_LINK_CHARS)
      const decoded = bounded(() => decodeGraph(link))
      expect(decoded.ok, name).toBe(false)
      expect((decoded as { message: string }).message, name).toMatch(
        /^The shared link's graph is too large: it inflates to more than 5,242,880 bytes/,
      )
      const initial = bounded(() => loadInitialGraph(null, null, `#${SHARE_KEY}=${link}`))
      expect(initial.source).toBe('template')
      expect(initial.problem).toMatch(/^The shared link could not be opened: .*too large/)
    }
    record(
      task,
      bombs.length * 2,
      `refused within ${MAX_MS} ms and ${MAX_GROWTH / 2 ** 20} MB each; the lesson opened instead`,
    )
  })

  it('a document just under the limit still opens from a link; one byte over does not', ({
    task,
  }) => {
    const pad = (n: number) => `${lessonText.trimEnd().slice(0, -1)}${' '.repeat(n)}}`
    const under = pad(MAX_DOCUMENT_BYTES - lessonText.trimEnd().length)
    expect(under.length).toBe(MAX_DOCUMENT_BYTES)
    const ok = bounded(() => decodeGraph(toBase64Url(deflateRawSync(under))))
    expect(ok).toMatchObject({ ok: true, doc: { name: 'MNIST lesson' } })
    const over = bounded(() => decodeGraph(toBase64Url(deflateRawSync(`${under} `))))
    expect(over.ok).toBe(false)
    record(task, 2, 'opened at the limit, refused one byte over')
  })

  it('links that are too long, not base64url, truncated or not deflate: a message, never a throw', ({
    task,
  }) => {
    const good = encodeGraph(templates.lesson)
    const cases: [string, string, RegExp][] = [
      ['9 MB of base64', 'A'.repeat(MAX_SHARE_LINK_CHARS + 1), /too long/],
      ['not base64url', `${good.slice(0, 20)}%%%`, /damaged/],
      ['one character', 'A', /damaged/],
      ['truncated', good.slice(0, good.length >> 1), /damaged/],
      ['not deflate', toBase64Url(new TextEncoder().encode(lessonText)), /damaged/],
      ['gzip, not raw deflate', toBase64Url(gzipSync(lessonText)), /damaged/],
      [
        'Latin-1, not UTF-8',
        toBase64Url(deflateRawSync(Buffer.from('{"name":"\xe9"}', 'latin1'))),
        /damaged/,
      ],
      ['empty', '', /./],
    ]
    for (const [name, link, message] of cases) {
      const decoded = bounded(() => decodeGraph(link))
      expect(decoded.ok, name).toBe(false)
      expect((decoded as { message: string }).message, name).toMatch(message)
    }
    record(task, cases.length, `refused with a message ×${cases.length}`)
  })

  it('opened files: too large, gzip bombs and damaged gzip refused, plain and gzip graphs opened', async ({
    task,
  }) => {
    const unreadable = {
      size: 10 * 2 ** 30,
      slice: () => new Blob([new Uint8Array([0x7b, 0x22])]),
      text: () => {
        throw new Error('read a 10 GiB file')
      },
      arrayBuffer: () => {
        throw new Error('read a 10 GiB file')
      },
    } as unknown as Blob
    const damaged = gzipSync(lessonText)
    damaged[damaged.length - 20]! ^= 0xff
    const cases: [string, Blob, RegExp | null][] = [
      ['a 10 GiB file (never read)', unreadable, /more than the 5,242,880-byte limit/],
      ['6 MiB of JSON', new Blob([' '.repeat(6 * 2 ** 20)]), /more than the 5,242,880-byte limit/],
      [
        'a gzip bomb (1 GiB of zeros)',
        new Blob([gzipSync(new Uint8Array(64 * 2 ** 20))]),
        /too large/,
      ],
      ['a damaged gzip file', new Blob([damaged]), /damaged/],
      ['the lesson', new Blob([lessonText]), null],
      ['the lesson, gzipped', new Blob([gzipSync(lessonText)]), null],
    ]
    const outcomes = new Tally()
    for (const [name, file, message] of cases) {
      const start = performance.now()
      const read = await readGraphFile(file)
      expect(performance.now() - start, name).toBeLessThan(MAX_MS)
      if (message === null) {
        expect(read, name).toEqual({ ok: true, text: lessonText })
        outcomes.add('opened')
      } else {
        expect(read.ok, name).toBe(false)
        expect((read as { message: string }).message, name).toMatch(message)
        outcomes.add('refused')
      }
    }
    record(task, cases.length, `${outcomes}`)
  })

  it('an autosave larger than a document: the lesson opens instead, saying why', ({ task }) => {
    const entry = { id: 'big', name: 'Big', updatedAt: new Date().toISOString() }
    localStorage.setItem(DOCUMENTS_KEY, JSON.stringify([entry]))
    localStorage.setItem(documentKey('big'), `${' '.repeat(MAX_DOCUMENT_BYTES)}${lessonText}`)
    const initial = bounded(() => loadInitialGraph(localStorage, null, ''))
    expect(initial.source).toBe('template')
    expect(initial.problem).toMatch(
      /autosaved graph could not be restored: .*bytes, more than the 5,242,880-byte/,
    )
    localStorage.clear()
    record(task, 1, 'the lesson opened, the reason shown')
  })
})

describe('reliability: property-based tests of parsers and decoders', () => {
  it('share links: arbitrary text and mutated real links give a graph or a message, never a throw', ({
    task,
  }) => {
    const good = encodeGraph(templates.smallCnn)
    const outcomes = new Tally()
    const links = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,300}$/),
      fc
        .tuple(
          fc.array(fc.tuple(fc.nat(), fc.constantFrom(...'AZaz09-_+/=%é'.split(''))), {
            maxLength: 4,
          }),
          fc.option(fc.nat()),
        )
        .map(([flips, cut]) => {
          const chars = good.split('')
          for (const [at, c] of flips) chars[at % chars.length] = c
          const text = chars.join('')
          return cut === null ? text : text.slice(0, cut % (text.length + 1))
        }),
    )
    fc.assert(
      fc.property(links, (link) => {
        const start = performance.now()
        const decoded = decodeGraph(link)
        expect(performance.now() - start).toBeLessThan(500)
        if (decoded.ok) outcomes.add('opened')
        else {
          expect(decoded.message.length).toBeGreaterThan(10)
          outcomes.add('refused')
        }
      }),
      { numRuns: 1000 },
    )
    record(task, 1000, `${outcomes}; none threw`)
  })

  it('share links: any graph the editor can hold comes back from its link unchanged', ({
    task,
  }) => {
    const docs = fc
      .record({
        template: fc.constantFrom(...(Object.keys(templates) as (keyof typeof templates)[])),
        name: fc.string({ maxLength: 60 }),
        x: fc.integer({ min: -1e6, max: 1e6 }),
      })
      .map(({ template, name, x }) => {
        const doc = structuredClone(templates[template])
        doc.name = name
        for (const node of doc.nodes) node.position = { x, y: node.position.y }
        return doc
      })
    fc.assert(
      fc.property(docs, (doc) => {
        const decoded = decodeGraph(encodeGraph(doc))
        expect(decoded.ok).toBe(true)
        expect((decoded as { doc: unknown }).doc).toEqual(doc)
      }),
      { numRuns: 200 },
    )
    record(task, 200, 'round-tripped exactly')
  })
})
