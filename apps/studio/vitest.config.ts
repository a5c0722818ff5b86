import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@tensorloom/source'] },
  ssr: { resolve: { conditions: ['@tensorloom/source'] } },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
})
