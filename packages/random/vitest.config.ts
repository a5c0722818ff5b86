import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@tensorloom/source'] },
  ssr: { resolve: { conditions: ['@tensorloom/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
})
