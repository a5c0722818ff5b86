// Runs every TypeScript example of the README on the sources and checks what it prints against
// its own comments, so the docs cannot rot.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { record } from '../../../scripts/reliability/meta.js'
import { codeBlocks, mismatches, runExample } from '../../../scripts/reliability/readme.js'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const blocks = codeBlocks(readFileSync(join(packageDir, 'README.md'), 'utf8'))
// The contributor recipes (How to add a block) live in DEVELOPMENT.md, outside the npm package.
const devBlocks = codeBlocks(readFileSync(join(packageDir, 'DEVELOPMENT.md'), 'utf8'))
const cwd = mkdtempSync(join(tmpdir(), 'tensorloom-graph-readme-'))
afterAll(() => rmSync(cwd, { recursive: true, force: true }))

describe('reliability: documentation examples', () => {
  it('the @tensorloom/graph README has TypeScript examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4)
  })

  it.for(blocks.map((code, i) => [i + 1, code] as const))(
    '@tensorloom/graph README example %i runs on the sources and prints what its comments say',
    ([, code], { task }) => {
      const run = runExample({ packageDir, selfName: '@tensorloom/graph', code, cwd })
      expect(mismatches(run)).toEqual([])
      const checked = run.expectations.length
      record(task, 1, `ran; ${checked} printed value${checked === 1 ? '' : 's'} as documented`)
    },
  )

  it.for(devBlocks.map((code, i) => [i + 1, code] as const))(
    '@tensorloom/graph DEVELOPMENT.md example %i runs on the sources and prints what its comments say',
    ([, code], { task }) => {
      const run = runExample({ packageDir, selfName: '@tensorloom/graph', code, cwd })
      expect(mismatches(run)).toEqual([])
      record(task, 1, `ran; ${run.expectations.length} printed values as documented`)
    },
  )

  it('the @tensorloom/graph README export example wrote the PyTorch and TypeScript programs', () => {
    expect(existsSync(join(cwd, 'train.py'))).toBe(true)
    expect(readFileSync(join(cwd, 'train.ts'), 'utf8')).toContain("from '@tensorloom/layers'")
  })
})
