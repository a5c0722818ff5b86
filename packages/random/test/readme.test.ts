// Runs every TypeScript example of the README on the sources and checks what it prints against
// its own comments, so the docs cannot rot.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { record } from '../../../scripts/reliability/meta.js'
import { codeBlocks, mismatches, runExample } from '../../../scripts/reliability/readme.js'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const blocks = codeBlocks(readFileSync(join(packageDir, 'README.md'), 'utf8'))
const cwd = mkdtempSync(join(tmpdir(), 'tensorloom-random-readme-'))
afterAll(() => rmSync(cwd, { recursive: true, force: true }))

describe('reliability: documentation examples', () => {
  it('the @tensorloom/random README has a TypeScript example', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(1)
  })

  it.for(blocks.map((code, i) => [i + 1, code] as const))(
    '@tensorloom/random README example %i runs on the sources and prints what its comments say',
    ([, code], { task }) => {
      const run = runExample({ packageDir, selfName: '@tensorloom/random', code, cwd })
      expect(mismatches(run)).toEqual([])
      const checked = run.expectations.length
      record(task, 1, `ran; ${checked} printed value${checked === 1 ? '' : 's'} as documented`)
    },
  )
})
