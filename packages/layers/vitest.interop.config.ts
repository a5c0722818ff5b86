import { defineConfig } from 'vitest/config'

// `pnpm test:interop`: round trips through real PyTorch (skipped when torch is missing).
export default defineConfig({
  resolve: { conditions: ['@tensorloom/source'] },
  ssr: { resolve: { conditions: ['@tensorloom/source'] } },
  test: {
    include: ['test/interop/**/*.interop.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default', ['json', { outputFile: 'test-results/interop.json' }]],
  },
})
