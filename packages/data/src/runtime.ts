/** True when running in Node.js (or a runtime that provides Node's built-ins). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: unknown } } }).process
  return typeof p?.versions?.node === 'string'
}

/**
 * Imports a Node built-in (`fs/promises`, `path`, `crypto`, ...) at run time. The specifier is built
 * at run time so that browser bundlers never try to resolve Node modules: the package bundles for
 * the browser, and these imports only run in Node.
 */
export function importNode<T>(name: string): Promise<T> {
  const specifier = `node:${name}`
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>
}

/** Node's `fs/promises`, loaded on demand. */
export type NodeFs = typeof import('node:fs/promises')
/** Node's `path`, loaded on demand. */
export type NodePath = typeof import('node:path')
/** Node's `crypto`, loaded on demand. */
export type NodeCrypto = typeof import('node:crypto')
/** Node's `url`, loaded on demand. */
export type NodeUrl = typeof import('node:url')

/** Loads the Node built-ins the dataset code needs. */
export async function nodeModules(): Promise<{ fs: NodeFs; path: NodePath; url: NodeUrl }> {
  const [fs, path, url] = await Promise.all([
    importNode<NodeFs>('fs/promises'),
    importNode<NodePath>('path'),
    importNode<NodeUrl>('url'),
  ])
  return { fs, path, url }
}
