import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import {
  checkPackageName,
  isValidVersion,
  type ModelEvaluation,
  type ModelReference,
  npmPackageProblem,
  tarballName,
} from '@tensorloom/graph'
import type { GraphData } from '@tensorloom/train'
import { describeDataError } from '../dataHint.js'
import type { CliIO } from '../io.js'
import { loadDocument } from './loadDocument.js'
import { outputProblem, writeOutput } from './outputs.js'
import type { BinaryWriter } from './train.js'

/** Options of `tensorloom pack`. */
export interface PackCommandOptions {
  /** The trained weights (safetensors), e.g. what `tensorloom train` or the studio wrote. */
  weights: string
  /** Package name (default: made from the graph's name). */
  name?: string
  /** Semver version (default 1.0.0). */
  version?: string
  /** SPDX license (default MIT). */
  license?: string
  description?: string
  /** Where to write the .tgz (default: `npm pack`'s name, in the current folder). */
  output?: string
  /** The test split for the README's accuracy and confusion matrix: as `train` takes it. */
  data?: string
  root?: string
  download?: boolean
  /** Backend for the evaluation (default wasm). */
  backend?: string
}

/** Reads bytes; tests pass an in-memory implementation. */
export interface BinaryReader {
  readBytes(path: string): Promise<Uint8Array>
}

/** Test images whose predictions go into the model card, to check copies of the network against. */
const REFERENCE_IMAGES = 100

/** A package name from a graph name: 'MNIST lesson' -> 'mnist-lesson'. */
export function packageNameFor(graphName: string): string {
  const slug = graphName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200)
  return slug || 'tensorloom-model'
}

/**
 * `tensorloom pack graph.json --weights w.safetensors`: writes the trained network as an npm
 * package (`.tgz`) that `npm publish` takes — `predict(image)` and `load()` on
 * `@tensorloom/layers`, the weights, the graph and a README. With the test split at hand (`--data`,
 * `--root`, `--download`, or ./data) the README and model card get the test accuracy, the confusion
 * matrix and the predictions on the first 100 test images. Returns the exit code: 1 when the
 * graph, the weights or the data are wrong, 2 for a name npm would refuse.
 */
export async function packGraph(
  io: CliIO & Partial<BinaryWriter> & Partial<BinaryReader>,
  path: string,
  options: PackCommandOptions,
): Promise<number> {
  const doc = await loadDocument(io, path)
  if (!doc) return 1
  const unfit = npmPackageProblem(doc)
  if (unfit) {
    io.stderr(`tensorloom: ${path}: ${unfit}\n`)
    return 1
  }
  const name = options.name ?? packageNameFor(doc.name)
  const problems = checkPackageName(name)
  if (problems.length > 0) {
    io.stderr(`tensorloom: "${name}" is not a valid npm package name: ${problems.join('; ')}\n`)
    return 2
  }
  if (options.version !== undefined && !isValidVersion(options.version)) {
    io.stderr(
      `tensorloom: --package-version must be semver (e.g. 1.0.0), got "${options.version}"\n`,
    )
    return 2
  }
  const output = options.output ?? tarballName(name, options.version ?? '1.0.0')
  const problem = await outputProblem(io, output, [path, options.weights])
  if (problem) {
    io.stderr(`${problem}\n`)
    return 1
  }
  const readBytes = io.readBytes ?? ((file: string) => readFile(file))
  let weights: Uint8Array
  try {
    weights = new Uint8Array(await readBytes(options.weights))
  } catch (error) {
    io.stderr(`tensorloom: cannot read ${options.weights}: ${(error as Error).message}\n`)
    return 1
  }

  await import('@tensorflow/tfjs-backend-cpu')
  await import('@tensorflow/tfjs-backend-wasm')
  const tf = await import('@tensorflow/tfjs-core')
  const { fromGraph, loadSafetensors } = await import('@tensorloom/layers')
  const {
    compileGraph,
    datasetClasses,
    knownClasses,
    disposeGraphData,
    evaluate,
    loadGraphData,
    loadSplit,
    selectBackend,
  } = await import('@tensorloom/train')
  const { toNpmTarball } = await import('@tensorloom/graph')
  await selectBackend(options.backend ?? 'wasm')

  // The weights must fit the network: the package would fail on its first load otherwise.
  const built = fromGraph(doc)
  try {
    loadSafetensors(built.model, weights)
  } catch (error) {
    io.stderr(`${options.weights}: these weights do not fit ${path}: ${(error as Error).message}\n`)
    built.model.dispose()
    return 1
  }
  built.model.dispose()
  const datasetType = built.plan.dataset?.type ?? 'the dataset'

  let evaluation: ModelEvaluation | null = null
  let reference: ModelReference | null = null
  let classes: readonly string[] | undefined
  const explicit = options.data !== undefined || options.root !== undefined || options.download
  let data: GraphData | null = null
  try {
    data = await loadGraphData(doc, (request) =>
      loadSplit(request, {
        root: options.root ?? './data',
        ...(options.data ? { data: options.data } : {}),
        ...(options.download ? { download: true } : {}),
      }),
    )
  } catch (error) {
    if (explicit || (error as { code?: unknown }).code !== 'DATASET_NOT_FOUND') {
      io.stderr(`tensorloom: ${describeDataError(error)}\n`)
      return 1
    }
    io.stderr(
      `${datasetType}'s test split was not found in ./data: the package is made without its test accuracy (pass --data DIR or --download to include it)\n`,
    )
    // The names the graph itself gives (FashionMNIST's, or the classes a CSV block lists).
    const planned = built.plan.dataset
    if (planned) classes = knownClasses({ dataset: planned.type, params: planned.params })
  }
  if (data) {
    const run = compileGraph(doc, { data })
    classes = datasetClasses(data.test)
    try {
      loadSafetensors(run.built.model, weights)
      run.built.model.eval()
      const result = await evaluate(run.built.model, run.testLoader, run.criterion)
      evaluation = {
        images: run.test.length,
        accuracy: result.accuracy ?? 0,
        loss: result.loss,
        confusionMatrix: result.confusionMatrix,
      }
      const count = Math.min(REFERENCE_IMAGES, run.test.length)
      const images = tf.tidy(() =>
        tf.stack(Array.from({ length: count }, (_, i) => run.test.get(i)[0])),
      )
      const last = run.plan.steps.find((s) => s.id === run.plan.output)?.type
      const [classIndex, confidence] = tf.tidy(() => {
        const out = run.built.model.call(images)
        const probabilities =
          last === 'Softmax' ? out : last === 'LogSoftmax' ? tf.exp(out) : tf.softmax(out)
        return [tf.argMax(probabilities, 1), tf.max(probabilities, 1)]
      })
      reference = {
        classIndex: Array.from(await classIndex.data()),
        confidence: Array.from(await confidence.data()),
      }
      tf.dispose([images, classIndex, confidence])
    } finally {
      run.dispose()
      disposeGraphData(data)
    }
  }

  const layersVersion = (
    createRequire(import.meta.url)('@tensorloom/layers/package.json') as { version: string }
  ).version
  let tarball: Uint8Array
  try {
    tarball = await toNpmTarball(doc, {
      name,
      weights,
      layersVersion,
      ...(classes ? { classes } : {}),
      trainedWith: 'tensorloom pack',
      evaluation,
      reference,
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.license !== undefined ? { license: options.license } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
    })
  } catch (error) {
    io.stderr(`tensorloom: ${(error as Error).message}\n`)
    return 1
  }
  const failed = await writeOutput(io, output, tarball)
  if (failed) {
    io.stderr(`${failed}\n`)
    return 1
  }
  io.stderr(
    `Wrote ${output} (${name}@${options.version ?? '1.0.0'}, ${(tarball.length / 1024).toFixed(0)} kB${
      evaluation ? `, test accuracy ${(evaluation.accuracy * 100).toFixed(2)}%` : ''
    }): npm publish ${output}\n`,
  )
  return 0
}
