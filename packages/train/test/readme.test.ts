// The README's examples against the sources, so the docs cannot rot. They download MNIST and
// train for five epochs, too long for the unit suite: they are type-checked, together (the later
// blocks continue the first), instead of run. The same API trains for real in
// test/mnist.integration.test.ts and in scripts/reliability/consumer.test.ts (from the tarballs).
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { record } from '../../../scripts/reliability/meta.js'
import { codeBlocks, typecheckExample } from '../../../scripts/reliability/readme.js'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const blocks = codeBlocks(readFileSync(join(packageDir, 'README.md'), 'utf8'))

describe('reliability: documentation examples', () => {
  it('@tensorloom/train README examples type-check against the sources, as one program', ({
    task,
  }) => {
    expect(blocks.length).toBeGreaterThanOrEqual(1)
    expect(blocks[0]).toContain("from '@tensorloom/train'")
    const diagnostics = typecheckExample({
      packageDir,
      selfName: '@tensorloom/train',
      code: blocks.join('\n'),
    })
    expect(diagnostics).toEqual([])
    record(task, blocks.length, `${blocks.length} examples type-check`)
  })
})
