// `pnpm --filter @tensorloom/bench chart [results/<date>.json ...]`: redraws the SVG chart of
// earlier runs (`pnpm bench` draws it for every run it makes).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderChart } from './chart'
import type { SuiteResults } from './suite'

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results')
const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(resultsDir)
        .filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f))
        .map((f) => join(resultsDir, f))
for (const file of files) {
  const results = JSON.parse(readFileSync(file, 'utf8')) as SuiteResults
  const out = file.replace(/\.json$/, '.svg')
  writeFileSync(out, renderChart(results))
  process.stdout.write(`wrote ${out}\n`)
}
