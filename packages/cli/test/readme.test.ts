// The README against the sources, so the docs cannot rot: the TypeScript example runs, and the
// terminal output it shows for `tensorloom check graph.json` is what the command prints.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { record } from '../../../scripts/reliability/meta.js'
import { codeBlocks, mismatches, runExample } from '../../../scripts/reliability/readme.js'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const selfName = '@tensorloom/cli'
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8')
const cwd = mkdtempSync(join(tmpdir(), 'tensorloom-cli-readme-'))
const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)

beforeAll(() => {
  // `npx tensorloom new lesson -o graph.json`, the README's first step.
  const created = runExample({
    packageDir,
    selfName,
    code: "import { main } from '@tensorloom/cli'\nprocess.exitCode = await main(['new', 'lesson', '-o', 'graph.json'])\n",
    cwd,
  })
  expect(mismatches(created)).toEqual([])
})
afterAll(() => rmSync(cwd, { recursive: true, force: true }))

describe('reliability: documentation examples', () => {
  it('@tensorloom/cli README: the TypeScript example runs and prints the documented check output', ({
    task,
  }) => {
    const [example] = codeBlocks(readme)
    expect(example).toContain("main(['check', 'graph.json'])")
    const run = runExample({ packageDir, selfName, code: example!, cwd })
    expect(mismatches(run)).toEqual([])
    // The first ```text block is the output of `tensorloom check graph.json`.
    const [shown] = codeBlocks(readme, 'text')
    expect(lines(run.stdout)).toEqual(lines(shown!))
    record(task, 1, `ran; the ${lines(shown!).length}-line check output matches the README`)
  })
})
