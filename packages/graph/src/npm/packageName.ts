/** Node's built-in modules (Node 20): npm refuses them as package names. */
const BUILTINS =
  'assert assert/strict async_hooks buffer child_process cluster console constants crypto ' +
  'dgram diagnostics_channel dns dns/promises domain events fs fs/promises http http2 https ' +
  'inspector inspector/promises module net os path path/posix path/win32 perf_hooks process ' +
  'punycode querystring readline readline/promises repl stream stream/consumers ' +
  'stream/promises stream/web string_decoder sys timers timers/promises tls trace_events tty ' +
  'url util util/types v8 vm wasi worker_threads zlib'

const SCOPED = /^@([^/]+)\/([^/]+)$/

/**
 * Why npm would refuse `name` for a new package, in npm's words (the rules of
 * `validate-npm-package-name`); empty when it is a valid name. Scoped names (`@you/digits`) are
 * checked part by part.
 *
 * @example
 * checkPackageName('mnist-digits') // []
 * checkPackageName('My Model') // ['name can only contain URL-friendly characters', 'name can no longer contain capital letters']
 */
export function checkPackageName(name: string): string[] {
  const problems: string[] = []
  if (name.length === 0) return ['name length must be greater than zero']
  if (name.startsWith('.')) problems.push('name cannot start with a period')
  if (name.startsWith('_')) problems.push('name cannot start with an underscore')
  if (name.trim() !== name) problems.push('name cannot contain leading or trailing spaces')
  if (name.toLowerCase() === 'node_modules' || name.toLowerCase() === 'favicon.ico') {
    problems.push(`${name} is not a valid package name`)
  }
  if (BUILTINS.split(' ').includes(name.toLowerCase()))
    problems.push(`${name} is a core module name`)
  if (name.length > 214) problems.push('name can no longer contain more than 214 characters')
  if (name.toLowerCase() !== name) problems.push('name can no longer contain capital letters')
  if (/[~'!()*]/.test(name.split('/').slice(-1)[0]!)) {
    problems.push('name can no longer contain special characters ("~\'!()*")')
  }
  const scoped = SCOPED.exec(name)
  const parts = scoped ? [scoped[1]!, scoped[2]!] : [name]
  if (parts.some((part) => encodeURIComponent(part) !== part)) {
    problems.push('name can only contain URL-friendly characters')
  }
  return problems
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/

/** True for a version npm publishes (semver 2.0: `1.0.0`, `0.2.1-beta.1`). */
export function isValidVersion(version: string): boolean {
  return version.length <= 256 && SEMVER.test(version)
}

/** The file name `npm pack` gives a package: `@you/digits@1.0.0` → `you-digits-1.0.0.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`
}
