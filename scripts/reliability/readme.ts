/**
 * Runs or type-checks the TypeScript examples of a package README, so the docs cannot rot.
 *
 * An example is a fenced ```ts block. Running it: the package's own name is pointed at its
 * `src/index.ts`, other `@tensorloom/*` packages resolve to their sources through the
 * `@tensorloom/source` condition, and tsx runs the file in a child process. Every `console.log`
 * is numbered, and what it printed is compared (ignoring whitespace) with the comment that says
 * what it prints: on the same line (`console.log(x) // 101770`) or on the `// ` lines right after
 * the call. A comment starting with `e.g.` is only checked to have printed something; `…` in a
 * comment matches anything (`[0.13066…]`).
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import ts from 'typescript'

const require = createRequire(import.meta.url)
const MARK = '\u0000readme:'

/** The fenced code blocks of `markdown` in `lang`, in order. */
export function codeBlocks(markdown: string, lang = 'ts'): string[] {
  const blocks: string[] = []
  const fence = new RegExp(`^\`\`\`${lang}[ \\t]*\\n([\\s\\S]*?)^\`\`\``, 'gm')
  for (const match of markdown.matchAll(fence)) blocks.push(match[1]!)
  return blocks
}

/** What one numbered `console.log` call is documented to print. */
export interface Expectation {
  call: number
  /** 1-based line in the example. */
  line: number
  expected: string
  /** False for `// e.g. …` comments: only checked to have printed. */
  exact: boolean
}

/** Index just past the `)` closing the call whose `(` is at `open`, or -1. */
function closeParen(code: string, open: number): number {
  let depth = 0
  let quote = ''
  for (let i = open; i < code.length; i++) {
    const c = code[i]!
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = ''
      continue
    }
    if (c === "'" || c === '"' || c === '`') quote = c
    else if (c === '(') depth++
    else if (c === ')' && --depth === 0) return i + 1
  }
  return -1
}

/** Numbers the `console.log` calls of `code` and reads what their comments say they print. */
export function instrument(code: string): { code: string; expectations: Expectation[] } {
  const expectations: Expectation[] = []
  let out = ''
  let last = 0
  let call = 0
  for (const match of code.matchAll(/console\.log\(/g)) {
    const start = match.index
    const end = closeParen(code, start + 'console.log'.length)
    if (end < 0) continue
    call++
    out += `${code.slice(last, start)}__readmeLog(${call}, ${code.slice(start + match[0].length, end)}`
    last = end
    const line = code.slice(0, start).split('\n').length
    const lineEnd = code.indexOf('\n', end)
    const rest = code.slice(end, lineEnd < 0 ? code.length : lineEnd)
    const inline = /^\s*\/\/ (.*)$/.exec(rest)
    let expected: string | undefined
    if (inline) expected = inline[1]
    else if (/^\s*$/.test(rest) && lineEnd >= 0) {
      const below: string[] = []
      for (const next of code.slice(lineEnd + 1).split('\n')) {
        const comment = /^\s*\/\/ ?(.*)$/.exec(next)
        if (!comment) break
        below.push(comment[1]!)
      }
      if (below.length > 0) expected = below.join('\n')
    }
    if (expected !== undefined) {
      const exact = !/^e\.g\./.test(expected)
      expectations.push({ call, line, expected, exact })
    }
  }
  out += code.slice(last)
  const preamble =
    "import { format as __readmeFormat } from 'node:util'\n" +
    'const __readmeLog = (n: number, ...args: unknown[]) => {\n' +
    `  process.stdout.write(\`${MARK.replace('\u0000', '\\u0000')}\${n}:\${JSON.stringify(__readmeFormat(...args))}\\n\`)\n` +
    '}\n'
  return { code: preamble + out, expectations }
}

/** Points imports of the package's own name at its sources (the file sits in `<package>/test`). */
function selfToSource(code: string, selfName: string): string {
  return code.replaceAll(`'${selfName}'`, "'../src/index.js'")
}

export interface ExampleRun {
  status: number | null
  /** What each numbered console.log call printed, in order. */
  printed: Map<number, string[]>
  /** Anything else on stdout. */
  stdout: string
  stderr: string
}

/**
 * Runs an example with tsx on the package's sources, from `cwd` (where it may write files).
 * The example is written to `<packageDir>/test/` for the run and removed afterwards.
 */
export function runExample(options: {
  packageDir: string
  selfName: string
  code: string
  cwd: string
  timeoutMs?: number
  env?: Record<string, string>
}): ExampleRun & { expectations: Expectation[] } {
  const { code, expectations } = instrument(options.code)
  const file = join(options.packageDir, 'test', `readme-example-${process.pid}.generated.ts`)
  writeFileSync(file, selfToSource(code, options.selfName))
  try {
    const result = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), '--conditions=@tensorloom/source', file],
      {
        cwd: options.cwd,
        encoding: 'utf8',
        timeout: options.timeoutMs ?? 120_000,
        env: { ...process.env, ...options.env },
        maxBuffer: 64 * 1024 * 1024,
      },
    )
    const printed = new Map<number, string[]>()
    const rest: string[] = []
    for (const line of result.stdout.split('\n')) {
      if (!line.startsWith(MARK)) {
        if (line) rest.push(line)
        continue
      }
      const colon = line.indexOf(':', MARK.length)
      const n = Number(line.slice(MARK.length, colon))
      const list = printed.get(n) ?? []
      list.push(JSON.parse(line.slice(colon + 1)) as string)
      printed.set(n, list)
    }
    return {
      status: result.status,
      printed,
      stdout: rest.join('\n'),
      stderr: result.stderr + (result.error ? String(result.error) : ''),
      expectations,
    }
  } finally {
    rmSync(file, { force: true })
  }
}

const squash = (text: string) => text.replace(/\s+/g, '')

/** Whitespace-insensitive; `…` in the README stands for any digits or text cut short. */
function matches(printed: string, expected: string): boolean {
  const want = squash(expected)
  if (!want.includes('…')) return squash(printed) === want
  const pattern = want
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*?')
  return new RegExp(`^${pattern}$`).test(squash(printed))
}

/** Every way the run differs from what the example's comments say; empty when it matches. */
export function mismatches(run: ExampleRun & { expectations: Expectation[] }): string[] {
  const problems: string[] = []
  if (run.status !== 0) {
    const lines = run.stderr.trim().split('\n')
    const at = lines.findIndex((line) => /^(\w*Error\b|\w+Error:)/.test(line.trim()))
    const shown = at >= 0 ? lines.slice(at, at + 4) : lines.slice(-8)
    problems.push(`exited with ${run.status}: ${shown.join('\n')}`)
  }
  for (const e of run.expectations) {
    const got = run.printed.get(e.call)
    if (!got) problems.push(`line ${e.line}: console.log never ran (expected ${e.expected})`)
    else if (e.exact && !matches(got[0]!, e.expected)) {
      problems.push(`line ${e.line}: printed ${JSON.stringify(got[0])}, README says ${e.expected}`)
    }
  }
  return problems
}

/**
 * Type-checks an example against the package's sources with the package's tsconfig (for examples
 * that need downloads or long runs). Returns the diagnostics, formatted.
 */
export function typecheckExample(options: {
  packageDir: string
  selfName: string
  code: string
  /** Declarations for names a fragment takes from its context, e.g. `declare const x: T`. */
  prelude?: string
}): string[] {
  const file = join(options.packageDir, 'test', `readme-example-${process.pid}.generated.ts`)
  writeFileSync(file, selfToSource(`${options.prelude ?? ''}\n${options.code}`, options.selfName))
  try {
    const configPath = join(options.packageDir, 'tsconfig.json')
    const config = ts.readConfigFile(configPath, (p) => readFileSync(p, 'utf8'))
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, options.packageDir)
    const program = ts.createProgram([file], { ...parsed.options, noEmit: true })
    const source = program.getSourceFile(file)!
    return ts.getPreEmitDiagnostics(program, source).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n')
      if (!d.file || d.start === undefined) return text
      const { line } = d.file.getLineAndCharacterOfPosition(d.start)
      return `line ${line + 1}: ${text}`
    })
  } finally {
    rmSync(file, { force: true })
  }
}
