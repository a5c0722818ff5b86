import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The repository-level reliability suite: packing and installing the packages like a stranger,
// and the changesets release flow. Run it with `node scripts/reliability/consumer.mjs`.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['*.test.ts'],
    // Its own step, after the studio's e2e (whose exported package it publishes): registry.mjs.
    exclude: ['registry.test.ts'],
    // One at a time: these tests build, pack and install, and share the machine's two cores.
    fileParallelism: false,
    testTimeout: 15 * 60_000,
    hookTimeout: 15 * 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
})
