import { defineConfig } from 'vitest/config'

// PyTorch interop: runs exported scripts with Debian's PyTorch (`pnpm test:interop`).
export default defineConfig({
  resolve: { conditions: ['@tensorloom/source'] },
  ssr: { resolve: { conditions: ['@tensorloom/source'] } },
  test: {
    include: ['test/interop/**/*.interop.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'test-results/interop.json' }]],
  },
})
