// The release flow: `changeset status` is clean on a committed tree and refuses a package change
// without a changeset, and `changeset version` bumps exactly what changed (and the dependents
// whose ranges it leaves) — tried on a temporary copy of the workspace's manifests, never here.
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { record } from './meta.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const changesetBin = createRequire(join(root, 'package.json')).resolve('@changesets/cli/bin.js')

interface Manifest {
  name: string
  version?: string
  private?: boolean
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}

/** Workspace package directories, relative to the root (the globs of pnpm-workspace.yaml). */
function workspaceDirs(base: string): string[] {
  const yaml = readFileSync(join(base, 'pnpm-workspace.yaml'), 'utf8')
  const globs = [...yaml.matchAll(/^packages:\n((?:\s+- .*\n)+)/gm)][0]?.[1] ?? ''
  const dirs: string[] = []
  for (const line of globs.split('\n')) {
    const glob = /- ['"]?([^'"]+)['"]?/.exec(line)?.[1]?.trim()
    if (!glob) continue
    if (glob.endsWith('/*')) {
      const parent = glob.slice(0, -2)
      if (!existsSync(join(base, parent))) continue
      for (const name of readdirSync(join(base, parent)).sort()) {
        if (existsSync(join(base, parent, name, 'package.json'))) dirs.push(`${parent}/${name}`)
      }
    } else if (existsSync(join(base, glob, 'package.json'))) dirs.push(glob)
  }
  return dirs
}

const read = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest

function run(cmd: string, args: string[], cwd: string) {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

const git = (cwd: string, ...args: string[]) =>
  run(
    'git',
    ['-c', 'user.name=reliability', '-c', 'user.email=reliability@localhost', ...args],
    cwd,
  )
const changeset = (cwd: string, ...args: string[]) =>
  run(process.execPath, [changesetBin, ...args], cwd)

/** ^x.y.z as npm reads it: does `next` still satisfy a caret range on `old`? */
function caretAllows(old: string, next: string): boolean {
  const [a, b, c] = old.split('.').map(Number) as [number, number, number]
  const [x, y, z] = next.split('.').map(Number) as [number, number, number]
  if (a > 0) return x === a
  if (b > 0) return x === 0 && y === b
  return x === 0 && y === 0 && z === c
}

function bump(version: string, type: 'patch' | 'minor'): string {
  const [a, b, c] = version.split('.').map(Number) as [number, number, number]
  return type === 'minor' ? `${a}.${b + 1}.0` : `${a}.${b}.${c + 1}`
}

let copy = ''
let dirs: string[] = []
const manifests = new Map<string, { dir: string; manifest: Manifest }>()

beforeAll(() => {
  // A copy of what changesets reads, committed as `main` in a fresh repository.
  copy = mkdtempSync(join(tmpdir(), 'tensorloom-changesets-'))
  dirs = workspaceDirs(root)
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) {
    mkdirSync(dirname(join(copy, file)), { recursive: true })
    cpSync(join(root, file), join(copy, file))
  }
  for (const dir of dirs) {
    mkdirSync(join(copy, dir), { recursive: true })
    cpSync(join(root, dir, 'package.json'), join(copy, dir, 'package.json'))
    const manifest = read(join(root, dir, 'package.json'))
    manifests.set(manifest.name, { dir, manifest })
  }
  expect(git(copy, 'init', '-q', '-b', 'main').status).toBe(0)
  expect(git(copy, 'add', '-A').status).toBe(0)
  expect(git(copy, 'commit', '-qm', 'base').status).toBe(0)
  expect(git(copy, 'checkout', '-qb', 'feature').status).toBe(0)
})

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true })
})

/** Back to the committed `feature` branch, untouched. */
function reset() {
  git(copy, 'reset', '-q', '--hard', 'main')
  git(copy, 'clean', '-qfdx')
}

const publishable = () =>
  [...manifests.values()].filter(({ manifest }) => !manifest.private).map((m) => m.manifest.name)

describe('reliability: packages a stranger can install', () => {
  it('changeset status is clean on the committed repository', (ctx) => {
    const dirty = run('git', ['status', '--porcelain'], root)
    if (dirty.status !== 0 || dirty.output.trim()) {
      // changeset status compares the working tree with main: uncommitted work always "changed".
      record(
        ctx.task,
        1,
        'skipped: the working tree has uncommitted changes (runs on a clean checkout)',
      )
      ctx.skip('the working tree has uncommitted changes (clean in CI)')
    }
    const status = changeset(root, 'status')
    expect(status.output).not.toContain('error')
    expect(status.status).toBe(0)
    record(ctx.task, 1, 'no changed package without a changeset')
  })

  it('changeset status refuses a changed package without a changeset, and accepts one with it', ({
    task,
  }) => {
    reset()
    expect(changeset(copy, 'status').status).toBe(0)
    let cases = 1
    for (const name of publishable()) {
      reset()
      const { dir } = manifests.get(name)!
      writeFileSync(join(copy, dir, 'changed.txt'), 'a change\n')
      git(copy, 'add', '-A')
      git(copy, 'commit', '-qm', `change ${name}`)
      const refused = changeset(copy, 'status')
      expect(refused.status, name).toBe(1)
      expect(refused.output).toContain(
        'Some packages have been changed but no changesets were found',
      )
      writeFileSync(join(copy, '.changeset', 'change.md'), `---\n'${name}': patch\n---\n\nA fix.\n`)
      expect(changeset(copy, 'status').status, name).toBe(0)
      cases += 2
    }
    reset()
    record(task, cases, 'clean tree accepted; each package change refused without, accepted with')
  })

  it('changeset version bumps what changed and the dependents whose ranges it leaves', ({
    task,
  }) => {
    const scenarios: [string, 'patch' | 'minor'][] = publishable().map((n) => [n, 'patch'])
    scenarios.push(['@tensorloom/graph', 'minor'])
    const bumped: string[] = []
    for (const [changed, type] of scenarios) {
      reset()
      writeFileSync(
        join(copy, '.changeset', 'reliability-check.md'),
        `---\n'${changed}': ${type}\n---\n\nReliability check of ${changed}.\n`,
      )
      const result = changeset(copy, 'version')
      expect(result.status, result.output).toBe(0)
      expect(existsSync(join(copy, '.changeset', 'reliability-check.md'))).toBe(false)

      // What should move: the package, then every publishable dependent whose ^range the new
      // version leaves (transitively). Private packages are never versioned.
      const expected = new Map<string, string>()
      const old = (name: string) => manifests.get(name)!.manifest.version!
      expected.set(changed, bump(old(changed), type))
      for (let grew = true; grew; ) {
        grew = false
        for (const { manifest } of manifests.values()) {
          if (manifest.private || expected.has(manifest.name)) continue
          const deps = { ...manifest.dependencies, ...manifest.peerDependencies }
          const leaves = Object.keys(deps).some(
            (dep) => expected.has(dep) && !caretAllows(old(dep), expected.get(dep)!),
          )
          if (leaves) {
            expected.set(manifest.name, bump(manifest.version!, 'patch'))
            grew = true
          }
        }
      }
      for (const [name, { dir, manifest }] of manifests) {
        const now = read(join(copy, dir, 'package.json'))
        expect(now.version, `${name} after ${type} ${changed}`).toBe(
          expected.get(name) ?? manifest.version,
        )
        const changelog = join(copy, dir, 'CHANGELOG.md')
        expect(existsSync(changelog), `${name} CHANGELOG`).toBe(expected.has(name))
        if (name === changed) {
          expect(readFileSync(changelog, 'utf8')).toContain(`Reliability check of ${changed}.`)
        }
      }
      bumped.push(`${type} ${changed.replace('@tensorloom/', '')} → ${expected.size}`)
    }
    reset()
    record(task, scenarios.length, `packages bumped: ${bumped.join(', ')}; nothing else moved`)
  })
})
