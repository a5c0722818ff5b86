import react from '@vitejs/plugin-react'
import { defaultClientConditions, defineConfig } from 'vite'
import { contentSecurityPolicy, policyWith } from './vite/csp.ts'
import { datasetAssets, datasetConfig, downloadOrigins } from './vite/datasetAssets.ts'
import { mnistAssets } from './vite/mnistAssets.ts'
import { wasmThreads } from './vite/wasmThreads.ts'

/** Cross-origin isolation lets the tfjs wasm backend use threads (SharedArrayBuffer). */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
}

// Workspace packages resolve to their TypeScript source, so the studio never needs them built.
const conditions = ['@tensorloom/source', ...defaultClientConditions]

// Which datasets ship with the build and which are downloaded (and from where: the CSP's
// connect-src lists exactly those mirrors).
const datasets = datasetConfig()
const policy = policyWith(downloadOrigins(datasets))

export default defineConfig({
  plugins: [
    react(),
    mnistAssets(),
    datasetAssets(datasets),
    wasmThreads(),
    contentSecurityPolicy(policy.meta),
  ],
  define: { __STUDIO_DATASETS__: JSON.stringify(datasets) },
  resolve: { conditions },
  worker: { format: 'es' },
  // The worker's dependencies are not found by the dev server's scan of index.html: list them so
  // the first training run does not re-optimize dependencies and reload the page.
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgl',
      'fflate',
    ],
  },
  server: { headers: isolationHeaders },
  preview: { headers: { ...isolationHeaders, 'Content-Security-Policy': policy.header } },
  build: {
    target: 'es2022',
    // tfjs and its backends make the worker's engine chunk large; it loads only when training.
    chunkSizeWarningLimit: 2000,
    // Gzipping MNIST the first time is slow on purpose (it is then cached): no timing report.
    // selectBackend imports the wasm backend lazily for apps that never load it; the worker loads
    // it up front, which makes that import a no-op here, as intended: no warning about it.
    rolldownOptions: { checks: { bundlerTimings: false, ineffectiveDynamicImport: false } },
  },
})
