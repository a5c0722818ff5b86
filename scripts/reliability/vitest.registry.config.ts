import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The registry test alone (scripts/reliability/registry.test.ts): one file, one Verdaccio, one
// release. Run it with `node scripts/reliability/registry.mjs`, after the studio's e2e.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['registry.test.ts'],
    testTimeout: 20 * 60_000,
    hookTimeout: 30 * 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results/registry.json' }]],
  },
})
