#!/usr/bin/env node
// `pnpm check:publish` for one package (run in its folder, after its build): packs it the way
// `pnpm publish` does, then checks that tarball — not the folder — with publint --strict, attw
// (when it has types) and this repository's release rules:
//
// - every `exports`/`main`/`types`/`bin` target is in the tarball (no `dist` missing);
// - no `workspace:` or `catalog:` range, no `scripts`, no `devDependencies`, no source condition;
// - `homepage`, `bugs`, `repository`, `license`, `publishConfig.access`, README, LICENSE and
//   CHANGELOG.md are there; nothing from `src/`, tests or fixtures is.
//
// Prints the tarball's packed and unpacked size. Exits non-zero on any problem.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

const dir = process.cwd()
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))

/** The entries of a .tgz: name (without `package/`) -> bytes. */
function readTarball(bytes) {
  const tar = gunzipSync(bytes)
  const files = new Map()
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512)
    if (header.every((b) => b === 0)) break
    const text = (from, length) =>
      header
        .subarray(from, from + length)
        .toString('utf8')
        .replace(/\0.*$/s, '')
    const name = [text(345, 155), text(0, 100)].filter(Boolean).join('/')
    const size = Number.parseInt(text(124, 12).trim() || '0', 8)
    const type = String.fromCharCode(header[156] || 48)
    if (type === '0' || type === '\0')
      files.set(name.replace(/^package\//, ''), tar.subarray(at + 512, at + 512 + size))
    at += 512 + Math.ceil(size / 512) * 512
  }
  return files
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', ...options })
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` }
}

const out = mkdtempSync(join(tmpdir(), 'tensorloom-check-package-'))
const problems = []
try {
  // The build ran already (turbo's check:publish depends on build): skip prepack.
  const packed = run('pnpm', ['pack', '--config.ignore-scripts=true', '--pack-destination', out])
  const tarballName = readdirSync(out).find((f) => f.endsWith('.tgz'))
  if (!packed.ok || !tarballName) {
    console.error(packed.output)
    throw new Error(`pnpm pack failed for ${manifest.name}`)
  }
  const tarball = join(out, tarballName)
  const bytes = readFileSync(tarball)
  const files = readTarball(bytes)
  const published = JSON.parse(files.get('package.json').toString('utf8'))

  const targets = new Set()
  const collect = (value) => {
    if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''))
    else if (value && typeof value === 'object') for (const v of Object.values(value)) collect(v)
  }
  collect(published.exports)
  collect(published.bin)
  for (const field of ['main', 'types']) if (published[field]) collect(published[field])
  for (const target of targets) {
    if (!files.has(target))
      problems.push(`${target} is named by the manifest but not in the tarball`)
  }
  const text = JSON.stringify(published)
  if (/workspace:|catalog:/.test(text))
    problems.push('a workspace: or catalog: range was published')
  if (text.includes('@tensorloom/source'))
    problems.push('the @tensorloom/source condition was published')
  for (const field of ['scripts', 'devDependencies']) {
    if (published[field]) problems.push(`"${field}" was published`)
  }
  for (const field of ['homepage', 'bugs', 'repository', 'license', 'description', 'keywords']) {
    if (!published[field]) problems.push(`"${field}" is missing`)
  }
  if (published.publishConfig?.access !== 'public')
    problems.push('publishConfig.access is not "public"')
  for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
    if (!files.has(file)) problems.push(`${file} is not in the tarball`)
  }
  // The npm page shows README.md: the repository's own workflow lives in DEVELOPMENT.md.
  const readme = files.get('README.md')?.toString('utf8') ?? ''
  const repoOnly =
    /^## (Development|Tests)\b|pnpm (bench|vitest|test|fixtures)\b|\bscripts\/|\/usr\/bin\/python3/m
  const found = repoOnly.exec(readme)
  if (found) problems.push(`README.md has a repository-only passage: "${found[0]}"`)
  const stray = [...files.keys()].filter((f) => /^src\/|\.test\.|\/fixtures\/|test-results/.test(f))
  if (stray.length > 0)
    problems.push(`repository files in the tarball: ${stray.slice(0, 5).join(', ')}`)

  // publint and attw are the root's devDependencies, on PATH under `pnpm run`.
  const publint = run('publint', ['run', '--strict', tarball])
  process.stdout.write(publint.output)
  if (!publint.ok) problems.push('publint --strict failed')
  if (published.types || published.exports) {
    const attw = run('attw', [tarball, '--profile', 'esm-only'])
    process.stdout.write(attw.output)
    if (!attw.ok) problems.push('attw failed')
  }

  let unpacked = 0
  for (const content of files.values()) unpacked += content.length
  console.log(
    `${manifest.name}@${manifest.version}: ${files.size} files, ${(bytes.length / 1024).toFixed(1)} kB packed, ${(unpacked / 1024).toFixed(1)} kB unpacked`,
  )
} finally {
  rmSync(out, { recursive: true, force: true })
}
if (problems.length > 0) {
  for (const p of problems) console.error(`${manifest.name}: ${p}`)
  process.exit(1)
}
