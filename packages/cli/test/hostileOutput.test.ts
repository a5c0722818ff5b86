// Hostile names in the terminal, outputs that cannot be written or would overwrite the input,
// graph and data files that never end, and an empty training split, through the real commands:
// each gives exit code 1 and one line saying what went wrong, prints nothing a terminal acts on,
// and writes nothing it should not.
import { execFileSync } from 'node:child_process'
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serializeGraph, templates } from '@tensorloom/graph'
import { afterAll, describe, expect, it } from 'vitest'
import { record, Tally } from '../../../scripts/reliability/meta.js'
import { mnistDataDir } from '../../../scripts/testing/mnistRoot.js'
import { type CliIO, main, nodeIO } from '../src/index.js'

// A guard against a hang or a runaway read, not a speed target.
const MAX_MS = 10_000
/** What a terminal acts on: C0 (but the newlines the CLI writes), DEL, C1, bidi overrides. */
const TERMINAL_CONTROLS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

const dir = mkdtempSync(join(tmpdir(), 'tensorloom-cli-output-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

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
const write = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

async function run(argv: string[]) {
  const { io, out } = capture()
  const start = performance.now()
  const code = await main(argv, io)
  expect(performance.now() - start, argv.join(' ')).toBeLessThan(MAX_MS)
  return { code, ...out }
}

/** One line on stderr, no stack trace. */
const oneLine = (stderr: string) => {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1)
  expect(stderr).not.toMatch(/\n\s+at /)
}

describe('reliability: hostile graph files', () => {
  it('names, ids and paths with terminal escapes print escaped in every human-readable output', async ({
    task,
  }) => {
    const hostile = [
      '\u001b]0;pwned\u0007',
      '\u001b]52;c;cm0gLXJmIH4=\u0007',
      'x\r\nerror   Linear (n6): forged [LINEAR_SHAPE_MISMATCH]',
      '\u009b31mred',
      'evil\u202egnp.exe',
      '\u001b[2J\u001b[H',
    ]
    const outcomes = new Tally()
    let cases = 0
    for (const [i, text] of hostile.entries()) {
      const doc = JSON.parse(lesson)
      doc.name = text
      doc.nodes.find((n: { id: string }) => n.id === 'n5').id = `n5${text}`
      for (const e of doc.edges) {
        if (e.source === 'n5') e.source = `n5${text}`
        if (e.target === 'n5') e.target = `n5${text}`
      }
      const good = write(`named-${i}.json`, JSON.stringify(doc))
      // The same node without Flatten: an error line quoting the hostile id.
      const broken = JSON.parse(JSON.stringify(doc))
      broken.nodes.find((n: { type: string }) => n.type === 'Flatten').type = 'ReLU'
      const bad = write(`broken-${i}.json`, JSON.stringify(broken))
      // An invalid document whose problem path holds the hostile text as a key.
      const invalid = write(
        `invalid-${i}.json`,
        lesson.replace('"params":{', `"params":{"${JSON.stringify(text).slice(1, -1)}":1,`),
      )
      const hostilePath = write(`file${text.replace(/\//g, '')}.json`, JSON.stringify(doc))
      const runs = [
        ['check', good],
        ['check', bad],
        ['check', invalid],
        ['check', hostilePath],
        ['check', join(dir, `missing${text}.json`)],
        ['export', bad, '--to', 'pytorch'],
        ['export', good, '--to', 'typescript', '-o', join(dir, `out${i}.ts`)],
        ['frobnicate', text],
      ]
      for (const argv of runs) {
        const result = await run(argv)
        for (const stream of [result.stdout, result.stderr]) {
          if (argv[0] === 'export' && stream === result.stdout) continue // the program itself
          expect(stream, argv.join(' ')).not.toMatch(TERMINAL_CONTROLS)
        }
        outcomes.add(`exit ${result.code}`)
        cases++
      }
    }
    record(task, cases, `no control character reached the terminal: ${outcomes}`)
  })

  it('a FIFO, a device or a directory as the graph file: refused at once by check, export and train', async ({
    task,
  }) => {
    const fifo = join(dir, 'graph.fifo')
    execFileSync('mkfifo', [fifo])
    const cases = [fifo, '/dev/zero', '/dev/null', dir]
    let n = 0
    for (const path of cases) {
      for (const argv of [
        ['check', path],
        ['export', path, '--to', 'pytorch'],
        ['train', path, '-o', join(dir, 'w.safetensors'), '--history', join(dir, 'h.json')],
      ]) {
        const result = await run(argv)
        expect(result.code, argv.join(' ')).toBe(1)
        expect(result.stderr).toMatch(
          /cannot read .*: \[NOT_A_FILE\] it is (a FIFO|a character device|a directory)/,
        )
        oneLine(result.stderr)
        n++
      }
    }
    expect(existsSync(join(dir, 'w.safetensors'))).toBe(false)
    record(task, n, `exit 1, NOT_A_FILE ×${n}, nothing written`)
  })
})

describe('reliability: outputs that cannot be written', () => {
  it('a missing folder, a directory, /dev/full, an unwritable folder: one line, exit 1, before any work', async ({
    task,
  }) => {
    const graph = write('g.json', lesson)
    mkdirSync(join(dir, 'adir'))
    const targets: [string, RegExp][] = [
      [join(dir, 'missing', 'dir', 'x.py'), /the folder .*missing\/dir does not exist/],
      [join(dir, 'adir'), /it is a directory/],
      ['/dev/full', /it is a character device/],
      ['/sys/x.py', /permission denied|read-only/],
    ]
    const outcomes = new Tally()
    let cases = 0
    for (const [target, reason] of targets) {
      const runs = [
        ['export', graph, '--to', 'pytorch', '-o', target],
        ['new', 'lesson', '-o', target],
        ['train', graph, '-o', target, '--history', join(dir, 'h.json')],
        ['train', graph, '--history', target, '-o', join(dir, 'w.safetensors')],
      ]
      for (const argv of runs) {
        const result = await run(argv)
        expect(result.code, argv.join(' ')).toBe(1)
        expect(result.stderr, argv.join(' ')).toMatch(/^tensorloom: cannot write /)
        expect(result.stderr, argv.join(' ')).toMatch(reason)
        oneLine(result.stderr)
        // Train stops before loading tfjs or the data: nothing ran, nothing was written.
        expect(result.stderr).not.toContain('backend:')
        outcomes.add(argv[0]!)
        cases++
      }
    }
    expect(existsSync(join(dir, 'w.safetensors'))).toBe(false)
    expect(existsSync(join(dir, 'h.json'))).toBe(false)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
    record(task, cases, `exit 1 with one line, before any work: ${outcomes}`)
  })

  it('an output that is the input graph (by name, path, symlink or hard link) is refused', async ({
    task,
  }) => {
    const graph = write('input.json', lesson)
    symlinkSync(graph, join(dir, 'link.json'))
    linkSync(graph, join(dir, 'hard.json'))
    const spellings = [
      graph,
      join(dir, '.', 'input.json'),
      join(dir, 'link.json'),
      join(dir, 'hard.json'),
    ]
    let cases = 0
    for (const output of spellings) {
      for (const argv of [
        ['export', graph, '--to', 'pytorch', '-o', output],
        ['train', graph, '-o', output],
        ['train', graph, '--history', output],
      ]) {
        const result = await run(argv)
        expect(result.code, argv.join(' ')).toBe(1)
        expect(result.stderr).toMatch(
          /^tensorloom: refusing to write .*: it is the input graph file/,
        )
        oneLine(result.stderr)
        expect(readFileSync(graph, 'utf8')).toBe(lesson)
        cases++
      }
    }
    const clash = await run([
      'train',
      graph,
      '-o',
      join(dir, 'same'),
      '--history',
      join(dir, 'same'),
    ])
    expect(clash.code).toBe(1)
    expect(clash.stderr).toMatch(/refusing to write the weights and the history both to/)
    record(task, cases + 1, `refused ×${cases + 1}; the graph file unchanged`)
  })

  it('export and new write atomically: a file is replaced whole, no temporary file is left', async ({
    task,
  }) => {
    const graph = write('atomic.json', lesson)
    const target = write('program.py', 'old contents')
    expect((await run(['export', graph, '--to', 'pytorch', '-o', target])).code).toBe(0)
    expect(readFileSync(target, 'utf8')).toContain('class SimpleNN(nn.Module):')
    expect((await run(['new', 'smallCnn', '-o', target])).code).toBe(0)
    expect(JSON.parse(readFileSync(target, 'utf8')).name).toBe('Small CNN')
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
    record(task, 2, 'replaced whole, no temporary file left')
  })
})

describe('reliability: hostile IDX and MNIST files', () => {
  it('tensorloom train on a split of 0 images, or with a FIFO as a data file: exit 1, nothing written', async ({
    task,
  }) => {
    const idx = (dims: number[], bytes = 0) => {
      const out = new Uint8Array(4 + 4 * dims.length + bytes)
      out.set([0, 0, 8, dims.length])
      const view = new DataView(out.buffer)
      dims.forEach((d, i) => {
        view.setUint32(4 + 4 * i, d, false)
      })
      return out
    }
    const empty = join(dir, 'empty-data')
    mkdirSync(empty)
    const real = mnistDataDir(import.meta.url)
    writeFileSync(join(empty, 'train-images-idx3-ubyte'), idx([0, 28, 28]))
    writeFileSync(join(empty, 'train-labels-idx1-ubyte'), idx([0]))
    for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      writeFileSync(join(empty, f), readFileSync(join(real, f)))
    }
    const piped = join(dir, 'fifo-data')
    mkdirSync(piped)
    execFileSync('mkfifo', [join(piped, 'train-images-idx3-ubyte')])
    for (const f of [
      'train-labels-idx1-ubyte',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
    ]) {
      writeFileSync(join(piped, f), readFileSync(join(real, f)))
    }
    const graph = write('train.json', lesson)
    const weights = join(dir, 'trained.safetensors')
    const history = join(dir, 'trained.history.json')
    const cases: [string, RegExp][] = [
      [
        empty,
        /the training split has no samples, so there is nothing to train; nothing was written/,
      ],
      [piped, /train-images-idx3-ubyte is a FIFO \(named pipe\), not a regular file/],
    ]
    for (const [data, message] of cases) {
      const result = await run([
        'train',
        graph,
        '--data',
        data,
        '--backend',
        'cpu',
        '-o',
        weights,
        '--history',
        history,
      ])
      expect(result.code, data).toBe(1)
      expect(result.stderr, data).toMatch(message)
      expect(existsSync(weights)).toBe(false)
      expect(existsSync(history)).toBe(false)
    }
    record(task, cases.length, 'exit 1, the reason in one line, no weights or history written')
  })
})
