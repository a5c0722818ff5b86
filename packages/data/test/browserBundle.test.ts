/**
 * The package must bundle for the browser: Node built-ins are only reached through run-time
 * `import()` (src/runtime.ts), never through static imports a bundler would try to resolve.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))

/** The part of esbuild's API used here. */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{
    errors: unknown[]
    outputFiles: { text: string }[]
  }>
}

describe('browser bundle', () => {
  it('bundles src/index.ts for the browser with no Node built-in in it', async () => {
    // esbuild comes with tsup (a root devDependency); resolve it through tsup.
    const require = createRequire(import.meta.url)
    const esbuild = createRequire(require.resolve('tsup'))('esbuild') as Esbuild
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      // Workspace packages (@tensorloom/random) bundle from their sources, as the app's build does.
      conditions: ['@tensorloom/source'],
      external: ['@tensorflow/tfjs-core'],
      logLevel: 'silent',
    })
    expect(result.errors).toEqual([])
    const code = result.outputFiles[0]!.text
    expect(code).not.toMatch(/from\s*["']node:/)
    expect(code).not.toMatch(/\brequire\(/)
    expect(code).not.toMatch(/import\(\s*["']node:/)
    expect(code).toContain('node:${')
  })
})
