import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@tensorloom/source'] },
  ssr: { resolve: { conditions: ['@tensorloom/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/interop/**'],
    setupFiles: ['test/setup.ts'],
    // One tfjs engine per worker: importing tfjs dominates the run time; tests measure leaks relatively.
    isolate: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
})
