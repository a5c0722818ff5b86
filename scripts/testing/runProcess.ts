import { spawn } from 'node:child_process'

/** How a process ended and what it printed. */
export interface ProcessRun {
  /** The exit code; null when it was killed (e.g. at the timeout). */
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `command` with `args` in `cwd`, collecting its output; kills it (SIGKILL) after `timeoutMs`.
 * Never rejects for a failing exit code: the caller looks at `code` and the output.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
