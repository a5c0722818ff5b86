import * as tf from '@tensorflow/tfjs-core'
import { DataLoader, type RawImage, Subset } from '@tensorloom/data'
import type { GraphPlan, ModelReference } from '@tensorloom/graph'
import type { FromGraphResult } from '@tensorloom/layers'
import type { Criterion, GraphData, GraphSplit, RawSplit } from '@tensorloom/train'
import type { BoundaryWatch } from './boundary'
import {
  asTable,
  classNamesOf,
  columnsOf,
  imageOf,
  packThumbnails,
  pixelStats,
  rowOf,
  stats,
  thumbnailLayout,
} from './inspect'
import { firstImageLinear, outputKind } from './model'
import type { FromWorker, Prediction, TrainResults } from './protocol'

const TEST_BATCH = 1000
const GALLERY_SIZE = 24
const MAX_ERRORS = 1000
/** Test samples whose predictions an exported package carries, to check copies against. */
const REFERENCE_SIZE = 100

/** Turns a model's outputs into probabilities, whatever its last layer is. */
export function toProbabilities(plan: GraphPlan, output: tf.Tensor): tf.Tensor {
  const kind = outputKind(plan)
  if (kind === 'probabilities') return output
  if (kind === 'logProbabilities') return tf.exp(output)
  return tf.softmax(output)
}

/**
 * Where the test samples come from: the raw dataset they were cut from (the test split, or the
 * whole dataset a RandomSplit divides) and, for each position in the test split, the index in it.
 */
export function testSource(plan: GraphPlan, data: GraphData, test: GraphSplit) {
  const raw = plan.split ? data.train : data.test
  const indices = test instanceof Subset ? test.indices : null
  return { raw, indexOf: (position: number) => (indices ? indices[position]! : position) }
}

/** What the results show of the samples behind some predictions: thumbnails or rows of numbers. */
function samplesOf(raw: RawSplit, plan: GraphPlan, indices: readonly number[]) {
  const table = asTable(raw)
  if (table) {
    return {
      image: null,
      bytes: new Uint8Array(0),
      rows: indices.map((i) => rowOf(table, i)),
      columns: columnsOf(
        plan,
        table.shape.reduce((a, b) => a * b, 1),
      ),
    }
  }
  const images: RawImage[] = indices.map((i) => imageOf(raw, i))
  const layout = thumbnailLayout(images)
  return { image: layout, bytes: packThumbnails(images, layout), rows: null, columns: [] }
}

/**
 * Evaluates a trained model on the whole test split: accuracy, loss, the confusion matrix (one
 * row and column per class), the misclassified samples and a gallery — as thumbnails of any size
 * and channels, or as rows of numbers — the class names, and for a regression target R² and the
 * mean absolute error instead.
 */
export async function finalResults(options: {
  plan: GraphPlan
  built: FromGraphResult
  criterion: Criterion
  test: GraphSplit
  data: GraphData
  boundary: BoundaryWatch | null
  globalStep: number
  /** Filled with the predictions on the first test samples (classification only). */
  reference?: ModelReference
}): Promise<TrainResults> {
  const { plan, built, criterion, test, data } = options
  const model = built.model
  model.eval()
  const regression = plan.loss?.target === 'value'
  const classNames = await classNamesOf(plan, plan.split ? data.train : data.test)
  let confusion: number[][] = []
  const errors: Prediction[] = []
  const gallery: Prediction[] = []
  let correct = 0
  let lossSum = 0
  let seen = 0
  let absSum = 0
  let sqSum = 0
  let ySum = 0
  let ySq = 0
  const loader = new DataLoader(test, { batchSize: TEST_BATCH })
  for await (const [x, y] of loader) {
    if (regression) {
      const [out, loss] = tf.tidy(() => {
        const o = model.call(x)
        return [tf.reshape(o, [-1]), criterion.call(o, y)] as const
      })
      const [p, l, t] = await Promise.all([out.data(), loss.data(), y.data()])
      tf.dispose([x, y, out, loss])
      for (let i = 0; i < t.length; i++) {
        const d = p[i]! - t[i]!
        absSum += Math.abs(d)
        sqSum += d * d
        ySum += t[i]!
        ySq += t[i]! * t[i]!
      }
      lossSum += (l[0] ?? 0) * t.length
      seen += t.length
      continue
    }
    const [predicted, confidence, loss] = tf.tidy(() => {
      const out = model.call(x)
      const probs = toProbabilities(plan, out)
      return [tf.argMax(probs, 1), tf.max(probs, 1), criterion.call(out, y)] as const
    })
    const [p, c, l, labels] = await Promise.all([
      predicted.data(),
      confidence.data(),
      loss.data(),
      y.data(),
    ])
    tf.dispose([x, y, predicted, confidence, loss])
    if (confusion.length === 0) {
      const n = Math.max(2, plan.dataset?.classes ?? classNames.length)
      confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0))
    }
    const n = labels.length
    lossSum += (l[0] ?? 0) * n
    for (let i = 0; i < n; i++) {
      const index = seen + i
      const label = labels[i]!
      const guess = p[i]!
      // A model with more outputs than classes may pick one that does not exist: the matrix
      // grows to show it.
      while (Math.max(label, guess) >= confusion.length) {
        for (const row of confusion) row.push(0)
        confusion.push(new Array<number>(confusion.length + 1).fill(0))
      }
      confusion[label]![guess]!++
      const record = { index, label, predicted: guess, confidence: c[i]! }
      if (label === guess) correct++
      else if (errors.length < MAX_ERRORS) errors.push(record)
      if (index < GALLERY_SIZE) gallery.push(record)
      if (index < REFERENCE_SIZE && options.reference) {
        options.reference.classIndex.push(guess)
        options.reference.confidence.push(c[i]!)
      }
    }
    seen += n
  }
  const { raw, indexOf } = testSource(plan, data, test)
  const errorSamples = samplesOf(
    raw,
    plan,
    errors.map((e) => indexOf(e.index)),
  )
  const gallerySamples = samplesOf(
    raw,
    plan,
    gallery.map((g) => indexOf(g.index)),
  )
  const linear = firstImageLinear(built)
  const mean = seen > 0 ? ySum / seen : 0
  const variance = seen > 0 ? ySq / seen - mean * mean : 0
  return {
    testAccuracy: regression ? 0 : correct / Math.max(1, seen),
    testLoss: lossSum / Math.max(1, seen),
    confusion,
    errors,
    errorImages: errorSamples.bytes,
    gallery,
    galleryImages: gallerySamples.bytes,
    firstLayer: linear
      ? {
          outFeatures: linear.outFeatures,
          inFeatures: 784,
          // A copy: the results' buffers are transferred, and tfjs may keep the array it returned.
          weights: Float32Array.from(await linear.weight.data()),
        }
      : null,
    classNames,
    image: errorSamples.image ?? gallerySamples.image,
    rows: errorSamples.rows
      ? {
          columns: errorSamples.columns,
          errors: errorSamples.rows,
          gallery: gallerySamples.rows ?? [],
        }
      : null,
    regression: regression
      ? {
          r2: variance > 0 ? 1 - sqSum / seen / variance : 0,
          mae: absSum / Math.max(1, seen),
          count: seen,
        }
      : null,
    boundary: options.boundary
      ? await options.boundary.evaluate(
          model,
          (out) => toProbabilities(plan, out),
          options.globalStep,
        )
      : null,
  }
}

type Samples = Omit<Extract<FromWorker, { type: 'samples' }>, 'type' | 'requestId'>

/**
 * The first `count` samples of a split as the Data preview shows them: thumbnails with pixel
 * statistics along the transforms, or a table of the rows; with the class names.
 */
export async function previewSamples(
  plan: GraphPlan,
  split: RawSplit,
  count: number,
): Promise<Samples> {
  const n = Math.min(count, split.length)
  // Spread over the split: a class folder or a sorted table lists one class after another.
  const at = (i: number) => Math.floor((i * split.length) / Math.max(1, n))
  const classNames = await classNamesOf(plan, split)
  const table = asTable(split)
  const description = `${split.length.toLocaleString('en-US')} samples`
  if (table) {
    const rows = Array.from({ length: n }, (_, i) => rowOf(table, at(i)))
    const width = rows[0]?.length ?? 0
    const all = table.features.subarray(0, Math.min(table.length, 1000) * width)
    const s = stats(all, (v) => v)
    return {
      images: new Uint8Array(0),
      labels: Array.from({ length: n }, (_, i) => table.targets[at(i)]!),
      stats: { raw: s, toTensor: s, normalized: null },
      image: null,
      classNames,
      table: { columns: columnsOf(plan, width), rows },
      total: split.length,
      description,
    }
  }
  const images = Array.from({ length: n }, (_, i) => imageOf(split, at(i)))
  const labels = Array.from({ length: n }, (_, i) => Number(split.get(at(i))[1]))
  const forStats = Array.from({ length: Math.min(split.length, 200) }, (_, i) => imageOf(split, i))
  const layout = thumbnailLayout(images)
  return {
    images: packThumbnails(images, layout),
    labels,
    stats: pixelStats(forStats, plan),
    image: layout,
    classNames,
    table: null,
    total: split.length,
    description,
  }
}
