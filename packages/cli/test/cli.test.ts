import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { serializeGraph, templates } from '@tensorloom/graph'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mnistDataDir } from '../../../scripts/testing/mnistRoot.js'
import { type CliIO, main } from '../src/index.js'

/** An in-memory terminal and file system. */
function memoryIO(files: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' }
  const io: CliIO = {
    stdout: (t) => {
      out.stdout += t
    },
    stderr: (t) => {
      out.stderr += t
    },
    readFile: async (path) => {
      const text = files[path]
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`)
      return text
    },
    writeFile: async (path, text) => {
      files[path] = text
    },
  }
  return { io, out, files }
}

const lessonJson = () => JSON.parse(serializeGraph(templates.lesson))

const withoutFlatten = () => {
  const doc = lessonJson()
  doc.nodes = doc.nodes.filter((n: { id: string }) => n.id !== 'n5')
  doc.edges = doc.edges.filter((e: { target: string }) => e.target !== 'n5')
  for (const e of doc.edges) if (e.source === 'n5') e.source = 'n4'
  return JSON.stringify(doc)
}

describe('tensorloom check', () => {
  it("prints each edge's shape and the parameters of the lesson, exit 0", async () => {
    const { io, out } = memoryIO({ 'graph.json': serializeGraph(templates.lesson) })
    expect(await main(['check', 'graph.json'], io)).toBe(0)
    expect(out.stdout).toMatchInlineSnapshot(`
      "graph.json: MNIST lesson (9 nodes, 8 edges)

      Shapes:
        MNIST (n1)       ->  ToTensor (n2)          (1, 28, 28)
        ToTensor (n2)    ->  Normalize (n3)         (1, 28, 28)
        Normalize (n3)   ->  DataLoader (n4)        (1, 28, 28)
        DataLoader (n4)  ->  Flatten (n5)           (64, 1, 28, 28)
        Flatten (n5)     ->  Linear (n6)            (64, 784)
        Linear (n6)      ->  ReLU (n7)              (64, 128)
        ReLU (n7)        ->  Linear (n8)            (64, 128)
        Linear (n8)      ->  CrossEntropyLoss (n9)  (64, 10)

      Parameters:
        Linear (n6)  100,480
        Linear (n8)    1,290
        total        101,770

      no errors, no warnings
      "
    `)
    expect(out.stderr).toBe('')
  })

  it('prints every error with its fix and exits 1', async () => {
    const { io, out } = memoryIO({ 'graph.json': withoutFlatten() })
    expect(await main(['check', 'graph.json'], io)).toBe(1)
    expect(out.stdout).toMatch(/DataLoader \(n4\) +-> +Linear \(n6\) +\(64, 1, 28, 28\)\n/)
    expect(out.stdout).toContain(
      'error   Linear (n6): mat1 and mat2 shapes cannot be multiplied (1792x28 and 784x128) [LINEAR_SHAPE_MISMATCH]\n        fix: Insert Flatten before this node\n',
    )
    expect(out.stdout).toMatch(/Linear \(n6\) +-> +ReLU \(n7\) +\?\n/)
    expect(out.stdout.trimEnd().endsWith('1 error, no warnings')).toBe(true)
  })

  it('exits 0 with warnings', async () => {
    const doc = lessonJson()
    doc.nodes[3].params.shuffle = false
    const { io, out } = memoryIO({ 'g.json': JSON.stringify(doc) })
    expect(await main(['check', 'g.json'], io)).toBe(0)
    expect(out.stdout).toContain(
      'warning DataLoader (n4): The training DataLoader does not shuffle',
    )
    expect(out.stdout).toContain('        fix: Set shuffle = True')
  })

  it('prints the inference as JSON', async () => {
    const { io, out } = memoryIO({ 'g.json': serializeGraph(templates.lesson) })
    expect(await main(['check', 'g.json', '--json'], io)).toBe(0)
    const result = JSON.parse(out.stdout)
    expect(result.totalParams).toBe(101_770)
    expect(result.edges.e5).toEqual({ shape: [64, 784], label: '(64, 784)' })
  })

  it('names the path of an invalid document, exit 1', async () => {
    const doc = lessonJson()
    doc.nodes[5].params.inFeatures = '784'
    const { io, out } = memoryIO({ 'g.json': JSON.stringify(doc) })
    expect(await main(['check', 'g.json'], io)).toBe(1)
    expect(out.stderr).toBe(
      'g.json: invalid graph document [INVALID_VALUE]\n  nodes[5].params.inFeatures: expected a number, got string "784"\n',
    )
  })

  it('reports a missing file', async () => {
    const { io, out } = memoryIO()
    expect(await main(['check', 'nope.json'], io)).toBe(1)
    expect(out.stderr).toBe(
      "tensorloom: cannot read nope.json: ENOENT: no such file or directory, open 'nope.json'\n",
    )
  })
})

describe('tensorloom export', () => {
  it('writes PyTorch to stdout', async () => {
    const { io, out } = memoryIO({ 'g.json': serializeGraph(templates.lesson) })
    expect(await main(['export', 'g.json', '--to', 'pytorch'], io)).toBe(0)
    expect(out.stdout).toContain('class SimpleNN(nn.Module):')
  })

  it('writes TypeScript to a file', async () => {
    const { io, out, files } = memoryIO({ 'g.json': serializeGraph(templates.smallCnn) })
    expect(await main(['export', 'g.json', '--to=typescript', '-o', 'train.ts'], io)).toBe(0)
    expect(files['train.ts']).toContain('class SimpleNN extends Module {')
    expect(out.stdout).toBe('')
    expect(out.stderr).toBe('Wrote train.ts (TypeScript)\n')
  })

  it('refuses a graph with errors, listing them with fixes', async () => {
    const { io, out, files } = memoryIO({ 'g.json': withoutFlatten() })
    expect(await main(['export', 'g.json', '--to', 'pytorch', '-o', 'x.py'], io)).toBe(1)
    expect(files['x.py']).toBeUndefined()
    expect(out.stderr).toContain('g.json: The graph has 1 error and cannot be exported')
    expect(out.stderr).toContain('fix: Insert Flatten before this node')
  })
})

describe('usage', () => {
  it.each([
    [[], 0, 'stdout', 'Usage: tensorloom <command>'],
    [['--help'], 0, 'stdout', 'Usage: tensorloom <command>'],
    [['-v'], 0, 'stdout', '0.1.0'],
    [['check'], 2, 'stderr', 'tensorloom: check needs a graph file'],
    [['export', 'g.json'], 2, 'stderr', 'tensorloom: export needs --to pytorch or --to typescript'],
    [['export', 'g.json', '--to', 'onnx'], 2, 'stderr', 'unknown export target "onnx"'],
    [['frobnicate'], 2, 'stderr', 'tensorloom: unknown command "frobnicate"'],
    [['check', 'a.json', 'b.json'], 2, 'stderr', 'unexpected argument "b.json"'],
    [['check', 'a.json', '--colour'], 2, 'stderr', "Unknown option '--colour'"],
    [['new', 'resnet'], 2, 'stderr', 'unknown template "resnet"'],
  ] as const)('%j exits %i', async (argv, code, stream, text) => {
    const { io, out } = memoryIO()
    expect(await main(argv, io)).toBe(code)
    expect(out[stream]).toContain(text)
  })

  it('writes templates that check cleanly', async () => {
    const { io, files } = memoryIO()
    expect(await main(['new', 'smallCnn', '-o', 'cnn.json'], io)).toBe(0)
    expect(await main(['check', 'cnn.json'], io)).toBe(0)
    expect(JSON.parse(files['cnn.json']!).name).toBe('Small CNN')
  })
})

describe('the tensorloom bin', () => {
  const run = promisify(execFile)
  const tsx = createRequire(import.meta.url).resolve('tsx/cli')
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href
  const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
  let dir = ''
  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [tsx, '--conditions=@tensorloom/source', bin, ...args],
        { cwd: dir },
      )
      return { code: 0, stdout, stderr }
    } catch (e) {
      const error = e as { code: number; stdout: string; stderr: string }
      return { code: error.code, stdout: error.stdout, stderr: error.stderr }
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tensorloom-cli-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('checks and exports through the real process and file system', async () => {
    await writeFile(join(dir, 'graph.json'), serializeGraph(templates.lesson))
    const checked = await cli('check', 'graph.json')
    expect(checked).toMatchObject({ code: 0, stderr: '' })
    expect(checked.stdout).toContain('Flatten (n5)     ->  Linear (n6)            (64, 784)')
    expect((await cli('export', 'graph.json', '--to', 'pytorch', '-o', 'train.py')).code).toBe(0)
    expect(await readFile(join(dir, 'train.py'), 'utf8')).toContain(
      'datasets.MNIST(root=args.data_root',
    )
    await writeFile(join(dir, 'bad.json'), withoutFlatten())
    const bad = await cli('check', 'bad.json')
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('[LINEAR_SHAPE_MISMATCH]')
  })

  it('stops a wasm run on Ctrl-C mid-run and writes what was trained so far', async () => {
    await writeFile(join(dir, 'lesson.json'), serializeGraph(templates.lesson))
    // 200 epochs of 100 batches: minutes, unless SIGINT reaches the process mid-run.
    const args = ['train', 'lesson.json', '--epochs', '200', '--backend', 'wasm', '--limit', '6400']
    // tsx's loader in this very process (`node --import tsx`), not its CLI: the CLI runs the
    // program in a child and SIGKILLs it unless the child answers a relayed signal within 30 ms,
    // which a run that yields to the event loop every 50 ms misses about one time in three.
    const child = spawn(
      process.execPath,
      [
        '--import',
        tsxLoader,
        '--conditions=@tensorloom/source',
        bin,
        ...args,
        '--data',
        mnistDataDir(import.meta.url),
      ],
      { cwd: dir },
    )
    let stderr = ''
    let interruptedAt = 0
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      // Interrupt once training is under way: after the first finished epoch.
      if (!interruptedAt && /epoch 1\/200: train loss/.test(stderr)) {
        interruptedAt = performance.now()
        child.kill('SIGINT')
      }
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(interruptedAt, stderr).toBeGreaterThan(0)
    expect(code, stderr).toBe(130)
    expect(stderr).toContain('training stopped; writing what was trained so far')
    // Writing the weights and history takes a moment; training itself stopped at the next batch.
    expect(performance.now() - interruptedAt).toBeLessThan(10_000)
    const report = JSON.parse(await readFile(join(dir, 'lesson.history.json'), 'utf8'))
    expect(report.status).toBe('aborted')
    expect(report.history.length).toBeGreaterThanOrEqual(1)
    expect(report.history.length).toBeLessThan(200)
    expect((await readFile(join(dir, 'lesson.safetensors'))).length).toBeGreaterThan(400_000)
  }, 120_000)
})
