import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

/**
 * A long-lived child process that answers one JSON line per JSON request line, so the suite can
 * alternate engines while each keeps its data loaded and its code warm.
 */
export class LineWorker {
  private readonly child: ChildProcess
  private readonly lines: AsyncIterator<string>
  private stderr = ''
  readonly name: string

  constructor(name: string, command: string, args: string[], cwd: string) {
    this.name = name
    this.child = spawn(command, args, {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    })
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000)
    })
    this.lines = createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]()
  }

  /** Waits for the worker's first line (it prints one when ready) and returns it. */
  ready(): Promise<Record<string, unknown>> {
    return this.next()
  }

  /** Sends one request and waits for its answer; rejects with the worker's error or stderr. */
  async request<T>(message: object): Promise<T> {
    this.child.stdin!.write(`${JSON.stringify(message)}\n`)
    const answer = await this.next()
    if (typeof answer.error === 'string') throw new Error(`${this.name}: ${answer.error}`)
    return answer as T
  }

  private async next(): Promise<Record<string, unknown>> {
    while (true) {
      const { value, done } = await this.lines.next()
      if (done) {
        throw new Error(`${this.name} exited (code ${this.child.exitCode}): ${this.stderr.trim()}`)
      }
      const line = value.trim()
      if (line.startsWith('{')) return JSON.parse(line) as Record<string, unknown>
    }
  }

  /** Asks the worker to quit and waits for it (killing it after 10 s). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.child.stdin!.write(`${JSON.stringify({ quit: true })}\n`)
    this.child.stdin!.end()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
}
