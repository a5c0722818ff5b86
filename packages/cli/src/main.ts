import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import { trainingSpecs } from '@tensorloom/graph'
import { check } from './commands/check.js'
import { type ExportTarget, exportGraph, exportTargets } from './commands/exportGraph.js'
import { newGraph, templateNames } from './commands/newGraph.js'
import { packGraph } from './commands/pack.js'
import { trainGraph } from './commands/train.js'
import { escapeControl } from './escape.js'
import { type CliIO, nodeIO } from './io.js'
import { cliMessage } from './messages.js'

/** The help text of `tensorloom --help`. */
export const usage = `Usage: tensorloom <command> [options]

Commands:
  check <graph.json> [--json]
      Print the shape on every edge, the parameters, and every error and warning with its fix.
      Exits with 1 when the graph has errors.
  export <graph.json> --to pytorch|typescript [-o file]
      Write a runnable training program for PyTorch or for Tensorloom in Node.
  new [${templateNames.join('|')}] [-o graph.json]
      Write a built-in network (default: lesson).
  train <graph.json> [--epochs N] [--backend wasm|cpu] [-o weights.safetensors] [--history file]
        [--data dir|file.csv | --root dir [--download]] [--limit N]
      Train the network on its dataset with a progress bar; write the weights as safetensors
      (PyTorch key names) and the history as JSON (default: next to the graph file).
      --data is the dataset's files: a folder of MNIST's four IDX files, the class folder of an
      ImageFolder, the CSV file of a CSVDataset (instead of the path the graph names).
  pack <graph.json> --weights file.safetensors [--name NAME] [--package-version 1.0.0]
       [--license MIT] [--description TEXT] [-o file.tgz] [--data dir | --root dir [--download]]
      Write the trained network as an npm package (.tgz) with predict() and load(), the weights,
      the graph and a README with its test accuracy: then \`npm publish file.tgz\`.

Options:
  -o, --output <file>  Write to a file instead of stdout
  -h, --help           Show this help
  -v, --version        Show the version

Examples:
  tensorloom new lesson -o graph.json
  tensorloom check graph.json
  tensorloom export graph.json --to pytorch -o train.py && python train.py
  tensorloom train graph.json --epochs 5 --backend wasm
  tensorloom pack graph.json --weights graph.safetensors --name my-digits
`

const usageError = (io: CliIO, problem: string): number => {
  io.stderr(`${cliMessage('USAGE', { problem })}\n\n${usage}`)
  return 2
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code: 0 on
 * success, 1 when a graph is invalid or has errors, 2 on wrong usage.
 */
export async function main(argv: readonly string[], io: CliIO = nodeIO): Promise<number> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    return usageError(io, escapeControl(error instanceof Error ? error.message : String(error)))
  }
  const { values, positionals } = parsed
  if (values.version) {
    // Read at run time (src/ and dist/ both sit next to package.json): the bundle embeds no manifest.
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string }
    io.stdout(`${version}\n`)
    return 0
  }
  const [command, file, ...rest] = positionals
  if (values.help || command === undefined || command === 'help') {
    io.stdout(usage)
    return 0
  }
  if (rest.length > 0)
    return usageError(io, cliMessage('UNEXPECTED_ARGUMENT', { argument: rest[0]! }))
  switch (command) {
    case 'check':
      if (file === undefined) return usageError(io, cliMessage('CHECK_NEEDS_FILE'))
      return check(io, file, { json: values.json ?? false })
    case 'export': {
      if (file === undefined) return usageError(io, cliMessage('EXPORT_NEEDS_FILE'))
      const to = values.to
      if (to === undefined) return usageError(io, cliMessage('EXPORT_NEEDS_TARGET'))
      if (!exportTargets.includes(to as ExportTarget)) {
        return usageError(io, cliMessage('UNKNOWN_TARGET', { to }))
      }
      return exportGraph(io, file, to as ExportTarget, values.output)
    }
    case 'new': {
      const template = file ?? 'lesson'
      if (!templateNames.includes(template as (typeof templateNames)[number])) {
        return usageError(io, cliMessage('UNKNOWN_TEMPLATE', { template, names: templateNames }))
      }
      return newGraph(io, template as (typeof templateNames)[number], values.output)
    }
    case 'train': {
      if (file === undefined) return usageError(io, cliMessage('TRAIN_NEEDS_FILE'))
      const count = (name: 'epochs' | 'limit') => {
        const value = values[name]
        if (value === undefined) return undefined
        const n = Number(value)
        return Number.isInteger(n) && n > 0 ? n : Number.NaN
      }
      const epochs = count('epochs')
      const limit = count('limit')
      if (Number.isNaN(epochs)) {
        return usageError(
          io,
          cliMessage('NOT_A_COUNT', { option: 'epochs', value: values.epochs! }),
        )
      }
      const maxEpochs = trainingSpecs.find((spec) => spec.name === 'epochs')?.max
      if (epochs !== undefined && maxEpochs !== undefined && epochs > maxEpochs) {
        return usageError(
          io,
          cliMessage('TOO_MANY', { option: 'epochs', value: epochs, max: maxEpochs }),
        )
      }
      if (Number.isNaN(limit)) {
        return usageError(io, cliMessage('NOT_A_COUNT', { option: 'limit', value: values.limit! }))
      }
      return trainGraph(io, file, {
        ...(epochs !== undefined ? { epochs } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(values.backend !== undefined ? { backend: values.backend } : {}),
        ...(values.output !== undefined ? { output: values.output } : {}),
        ...(values.history !== undefined ? { history: values.history } : {}),
        ...(values.data !== undefined ? { data: values.data } : {}),
        ...(values.root !== undefined ? { root: values.root } : {}),
        ...(values.download ? { download: true } : {}),
      })
    }
    case 'pack': {
      if (file === undefined) return usageError(io, 'pack needs a graph file')
      if (values.weights === undefined) return usageError(io, 'pack needs --weights file')
      return packGraph(io, file, {
        weights: values.weights,
        ...(values.name !== undefined ? { name: values.name } : {}),
        ...(values['package-version'] !== undefined ? { version: values['package-version'] } : {}),
        ...(values.license !== undefined ? { license: values.license } : {}),
        ...(values.description !== undefined ? { description: values.description } : {}),
        ...(values.output !== undefined ? { output: values.output } : {}),
        ...(values.data !== undefined ? { data: values.data } : {}),
        ...(values.root !== undefined ? { root: values.root } : {}),
        ...(values.download ? { download: true } : {}),
        ...(values.backend !== undefined ? { backend: values.backend } : {}),
      })
    }
    default:
      return usageError(io, cliMessage('UNKNOWN_COMMAND', { command }))
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      to: { type: 'string' },
      output: { type: 'string', short: 'o' },
      json: { type: 'boolean' },
      epochs: { type: 'string' },
      backend: { type: 'string' },
      history: { type: 'string' },
      data: { type: 'string' },
      root: { type: 'string' },
      download: { type: 'boolean' },
      limit: { type: 'string' },
      weights: { type: 'string' },
      name: { type: 'string' },
      'package-version': { type: 'string' },
      license: { type: 'string' },
      description: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
}
