#!/usr/bin/env node
// Writes RELIABILITY.md at the repository root from the JSON reports of the last test run:
// every test inside a `describe('reliability: <family>')` (vitest) or `test.describe(...)`
// (Playwright) becomes one row: the class tried (the test title), how many cases
// (`task.meta.cases`, or a Playwright annotation `{ type: 'cases' }`), what happened to them
// (`task.meta.outcome`, or an annotation `{ type: 'outcome' }`), and the result. Tests written
// before the convention are adopted by file and title in scripts/reliability/adopted.json.
//
//   node scripts/reliability/report.mjs            write RELIABILITY.md
//   node scripts/reliability/report.mjs --check    also exit 1 when a reliability test failed,
//                                                  an adopted one did not run, or none ran at all
//   node scripts/reliability/report.mjs --out FILE write somewhere else
//
// See scripts/reliability/meta.ts for the convention.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'

const PREFIX = 'reliability: '
const root = new URL('../..', import.meta.url).pathname
const { values: args } = parseArgs({
  options: { check: { type: 'boolean', default: false }, out: { type: 'string' } },
})
const outFile = args.out ?? join(root, 'RELIABILITY.md')

/** Tests adopted by file and title; `found` is set when a report holds them. */
const adopted = JSON.parse(
  readFileSync(join(root, 'scripts', 'reliability', 'adopted.json'), 'utf8'),
).tests.map((entry) => ({ ...entry, found: false }))

/** Every `test-results/*.json` of the workspaces and of scripts/reliability. */
function reportFiles() {
  const dirs = ['packages', 'apps', 'examples'].flatMap((d) =>
    existsSync(join(root, d)) ? readdirSync(join(root, d)).map((name) => join(root, d, name)) : [],
  )
  dirs.push(join(root, 'bench'), join(root, 'scripts', 'reliability'))
  const files = []
  for (const dir of dirs) {
    const results = join(dir, 'test-results')
    if (!existsSync(results)) continue
    for (const f of readdirSync(results).sort()) {
      if (f.endsWith('.json')) files.push(join(results, f))
    }
  }
  return files
}

const statusOf = (status) =>
  status === 'passed' ? 'passed' : status === 'failed' ? 'FAILED' : 'skipped'

/** One row per reliability test in a vitest JSON report. */
function fromVitest(report, source) {
  const rows = []
  for (const file of report.testResults ?? []) {
    const where = relative(root, file.name)
    for (const t of file.assertionResults ?? []) {
      const row = {
        cases: typeof t.meta?.cases === 'number' ? t.meta.cases : 1,
        outcome: typeof t.meta?.outcome === 'string' ? t.meta.outcome : '',
        status: statusOf(t.status),
        failure: firstLine(t.failureMessages?.[0]),
        where,
        source,
      }
      const adopt = adopted.find((a) => a.file === where && t.fullName.includes(a.title))
      if (adopt) {
        adopt.found = true
        rows.push({ ...row, family: adopt.family, name: adopt.name ?? t.title })
        continue
      }
      const at = t.ancestorTitles.findIndex((title) => title.startsWith(PREFIX))
      if (at < 0) continue
      const name = [...t.ancestorTitles.slice(at + 1), t.title].join(' › ')
      rows.push({ ...row, family: t.ancestorTitles[at].slice(PREFIX.length), name })
    }
  }
  return rows
}

/** One row per reliability test in a Playwright JSON report. */
function fromPlaywright(report, source) {
  const rows = []
  const walk = (suite, titles, file) => {
    const path = suite.title ? [...titles, suite.title] : titles
    for (const spec of suite.specs ?? []) {
      const all = [...path, spec.title]
      const at = all.findIndex((title) => title.startsWith(PREFIX))
      if (at < 0) continue
      for (const test of spec.tests ?? []) {
        const notes = test.annotations ?? []
        const note = (type) => notes.find((a) => a.type === type)?.description
        rows.push({
          family: all[at].slice(PREFIX.length),
          name: all.slice(at + 1).join(' › ') + (test.projectName ? ` [${test.projectName}]` : ''),
          cases: Number(note('cases') ?? 1),
          outcome: note('outcome') ?? '',
          status: test.status === 'skipped' ? 'skipped' : spec.ok ? 'passed' : 'FAILED',
          failure: firstLine(test.results?.at(-1)?.error?.message),
          where: file ?? '',
          source,
        })
      }
    }
    for (const child of suite.suites ?? []) walk(child, path, child.file ?? file)
  }
  for (const suite of report.suites ?? []) walk(suite, [], suite.file)
  return rows
}

function firstLine(text) {
  if (!text) return ''
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colours from messages
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '')
  return (
    plain
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  )
}

const cell = (text) =>
  String(text)
    .replaceAll('\\', '\\\\')
    .replace(/[|_*`]/g, (c) => `\\${c}`)
    .replaceAll('\n', ' ')
const plural = (n, word) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? word : word.endsWith('s') ? `${word}es` : `${word}s`}`
const anchor = (title) =>
  title
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replaceAll(' ', '-')

const rows = []
const sources = []
for (const file of reportFiles()) {
  let report
  try {
    report = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    continue
  }
  const source = relative(root, file)
  const found = Array.isArray(report.testResults)
    ? fromVitest(report, source)
    : Array.isArray(report.suites)
      ? fromPlaywright(report, source)
      : []
  if (found.length > 0) sources.push(source)
  rows.push(...found)
}
// An adopted test missing from the reports: its suite did not run, or the test was renamed.
for (const a of adopted.filter((x) => !x.found)) {
  rows.push({
    family: a.family,
    name: a.name ?? a.title,
    cases: 0,
    outcome: '',
    status: 'not run',
    failure: '',
    where: a.file,
    source: '',
  })
}

const families = new Map()
for (const row of rows) {
  if (!families.has(row.family)) families.set(row.family, [])
  families.get(row.family).push(row)
}
const sortedFamilies = [...families.keys()].sort((a, b) => a.localeCompare(b))
const count = (list, status) => list.filter((r) => r.status === status).length
const totalCases = rows.reduce((n, r) => n + r.cases, 0)
const failed = count(rows, 'FAILED')
const skipped = count(rows, 'skipped')
const notRun = count(rows, 'not run')
const passed = count(rows, 'passed')

const lines = [
  '# Reliability',
  '',
  '<!-- Generated by `node scripts/reliability/report.mjs` from the test reports; do not edit. -->',
  '',
  'Each fault and class of hostile input Tensorloom is tested against, how many cases each test',
  'tried and what happened to them. This file is produced from the JSON reports of the last test',
  'run (`test-results/*.json` of every package), not written by hand: a class is listed only if a',
  'test tagged `reliability:` (or adopted in `scripts/reliability/adopted.json`) ran it.',
  '',
  `**${plural(rows.length, 'class')} tried, ${plural(totalCases, 'case')}: ${passed} passed, ` +
    `${failed} failed, ${skipped} skipped${notRun > 0 ? `, ${notRun} not run` : ''}.**`,
  '',
  '| area | classes | cases | result |',
  '| --- | ---: | ---: | --- |',
]
for (const family of sortedFamilies) {
  const list = families.get(family)
  const bad = count(list, 'FAILED')
  const idle = count(list, 'skipped') + count(list, 'not run')
  const result =
    bad > 0
      ? `${bad} FAILED`
      : idle === list.length
        ? 'not run'
        : idle > 0
          ? `passed (${idle} skipped or not run)`
          : 'passed'
  const cases = list.reduce((n, r) => n + r.cases, 0).toLocaleString('en-US')
  lines.push(`| [${cell(family)}](#${anchor(family)}) | ${list.length} | ${cases} | ${result} |`)
}
for (const family of sortedFamilies) {
  const list = families.get(family)
  lines.push('', `## ${family}`, '', '| class tried | cases | what happened | result |')
  lines.push('| --- | ---: | --- | --- |')
  for (const r of list) {
    const result = r.status === 'FAILED' && r.failure ? `FAILED: ${r.failure}` : r.status
    const cases = r.cases.toLocaleString('en-US')
    lines.push(`| ${cell(r.name)} | ${cases} | ${cell(r.outcome)} | ${cell(result)} |`)
  }
  const files = [...new Set(list.map((r) => r.where))].sort()
  lines.push('', `Tests: ${files.map((f) => `\`${f}\``).join(', ')}`)
}
if (rows.length === 0) {
  lines.push('', 'No reliability test ran: run the test suites first (`pnpm test`).')
}
lines.push('', `Reports read: ${sources.map((s) => `\`${s}\``).join(', ') || 'none'}.`, '')

writeFileSync(outFile, lines.join('\n'))
console.log(
  `${relative(process.cwd(), outFile) || outFile}: ${plural(rows.length, 'class')}, ` +
    `${plural(totalCases, 'case')}: ${passed} passed, ${failed} failed, ${skipped} skipped, ` +
    `${notRun} not run`,
)
if (args.check && (failed > 0 || notRun > 0 || rows.length === 0)) process.exit(1)
