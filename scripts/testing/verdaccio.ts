import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

/** A local npm registry for tests: Verdaccio on loopback, its storage in a temporary folder. */
export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  url: string
  /** An npmrc with this registry and a user's token: pass it as `npm_config_userconfig`. */
  npmrc: string
  /** The environment that points npm, pnpm and changesets at this registry, with its own cache. */
  env: Record<string, string>
  /** Everything Verdaccio printed (warnings and errors). */
  log(): string
  stop(): Promise<void>
}

/** A free TCP port on loopback, chosen by the OS. */
export function freePort(): number {
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})"
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))
}

/**
 * Starts Verdaccio (the root's devDependency, 6.8.0: 6.10 needs Node 22) in `dir`. The names in
 * `local` (globs such as `@tensorloom/*`) are served only from its own storage — publishing them
 * can never reach or be mixed with the public registry; everything else is proxied to `uplink`.
 * Creates user `ci` through `PUT /-/user/org.couchdb.user:ci` and writes an npmrc with its token.
 */
export async function startRegistry(options: {
  dir: string
  local: readonly string[]
  uplink: string
  /** Where Verdaccio is resolved from (the repository root). */
  root: string
}): Promise<LocalRegistry> {
  const { dir } = options
  const port = freePort()
  const url = `http://127.0.0.1:${port}/`
  mkdirSync(join(dir, 'storage'), { recursive: true })
  const packages = [
    ...options.local.map(
      (glob) =>
        `  '${glob}':\n    access: $all\n    publish: $authenticated\n    unpublish: $authenticated`,
    ),
    "  '**':\n    access: $all\n    publish: $authenticated\n    proxy: upstream",
  ].join('\n')
  const config = join(dir, 'config.yaml')
  writeFileSync(
    config,
    `storage: ${join(dir, 'storage')}
auth:
  htpasswd:
    file: ${join(dir, 'htpasswd')}
    max_users: 10
uplinks:
  upstream:
    url: ${options.uplink}
    timeout: 60s
    max_fails: 5
packages:
${packages}
server:
  keepAliveTimeout: 60
log: { type: stdout, format: pretty, level: warn }
`,
  )
  const bin = join(
    createRequire(join(options.root, 'package.json')).resolve('verdaccio/package.json'),
    '..',
    'bin',
    'verdaccio',
  )
  let output = ''
  const child: ChildProcess = spawn(
    process.execPath,
    [bin, '--config', config, '--listen', `127.0.0.1:${port}`],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // The machine's CA bundle, for an uplink behind a TLS-inspecting proxy.
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' },
    },
  )
  child.stdout?.on('data', (d) => {
    output += d
  })
  child.stderr?.on('data', (d) => {
    output += d
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }
  try {
    const deadline = Date.now() + 60_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Verdaccio exited:\n${output}`)
      const ok = await fetch(`${url}-/ping`)
        .then((r) => r.ok)
        .catch(() => false)
      if (ok) break
      if (Date.now() > deadline) throw new Error(`Verdaccio did not answer in 60 s:\n${output}`)
      await new Promise((r) => setTimeout(r, 250))
    }
    const response = await fetch(`${url}-/user/org.couchdb.user:ci`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci', password: 'registry-test-only' }),
    })
    const { token } = (await response.json()) as { token?: string }
    if (!response.ok || !token) throw new Error(`could not create a user: HTTP ${response.status}`)
    const npmrc = join(dir, 'npmrc')
    writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`)
    const env = {
      npm_config_registry: url,
      npm_config_userconfig: npmrc,
      // A fresh cache: packages of this version published by an earlier run differ in content.
      npm_config_cache: join(dir, 'npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    }
    return { url, npmrc, env, log: () => output, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
