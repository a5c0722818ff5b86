import type * as tf from '@tensorflow/tfjs-core'
import {
  Compose,
  DataLoader,
  FashionMNIST,
  MNIST,
  Normalize,
  type RawImage,
  ToTensor,
  type Transform,
} from '@tensorloom/data'
import {
  type DatasetType,
  type GraphDocument,
  type NodeIssue,
  type NodeParams,
  type NodeTypeOfKind,
  type PlannedNode,
  planGraph,
  type TrainingSettings,
  type ValidPlan,
} from '@tensorloom/graph'
import { type FromGraphResult, fromGraph, type Generator } from '@tensorloom/layers'
import { createOptimizer, trainingCriterion } from './fromSettings'
import type { Criterion } from './Loss'
import type { Optimizer } from './Optimizer'

/** A split of a graph's dataset as loaded, before any transform. */
export type RawSplit = MNIST<RawImage, number>

/** A split with the graph's transforms: batches of tensors for the model. */
export type GraphSplit = MNIST<tf.Tensor, number>

/** Which dataset split a graph reads: its dataset type and `train`. */
export interface SplitRequest {
  dataset: DatasetType
  train: boolean
}

/** The two splits a run reads, untransformed: the one the dataset node picks, and the test split. */
export interface GraphData {
  train: RawSplit
  test: RawSplit
}

/** Options of {@link compileGraph}. */
export interface CompileOptions {
  /** The splits, as {@link splitRequests} asks for them (e.g. from {@link loadGraphData}). */
  data: GraphData
  /** Use only the first `limit` samples of each split (quick runs). */
  limit?: number
  /** Batch size of the test loader (default 1000, the lesson's). */
  testBatchSize?: number
  /** Generator of the initial weights (default: one seeded with the document's seed). */
  generator?: Generator
  /** Class name the model prints (default `'SimpleNN'`). */
  className?: string
}

/** Everything a training run needs, built from one document. */
export interface CompiledRun {
  /** What the document says, read once (layers, loss and target encoding, settings, warnings). */
  plan: ValidPlan
  /** The model and its layers (`fromGraph`'s result). */
  built: FromGraphResult
  /** The per-image transforms (`Compose([ToTensor(), Normalize(...)])`). */
  transform: Transform<RawImage, tf.Tensor>
  train: GraphSplit
  test: GraphSplit
  trainLoader: DataLoader
  testLoader: DataLoader
  /** The loss on the loaders' class-index labels (one-hot encoded where the loss block says so). */
  criterion: Criterion
  optimizer: Optimizer<object>
  /** The document's training settings. */
  training: TrainingSettings
  warnings: NodeIssue[]
  /** Frees the model and the optimizer (the data belongs to the caller). */
  dispose(): void
}

type TransformType = NodeTypeOfKind<'transform'>

/**
 * The `@tensorloom/data` transform of every graph transform type and the class of every dataset
 * type, keyed by the same names as `@tensorloom/graph`'s `blocks`: a type without one here does
 * not compile.
 */
export const dataBuilders = {
  transforms: {
    ToTensor: () => new ToTensor(),
    Normalize: (p: NodeParams['Normalize']) => new Normalize(p.mean, p.std),
  } satisfies { [T in TransformType]: (params: NodeParams[T]) => Transform<never, unknown> },
  datasets: { MNIST, FashionMNIST } satisfies { [T in DatasetType]: typeof MNIST },
}

const buildTransform = (node: PlannedNode): Transform<never, unknown> =>
  (
    dataBuilders.transforms[node.type as TransformType] as (p: unknown) => Transform<never, unknown>
  )(node.params)

/** The splits a valid plan reads: `[training split, test split]`. */
export function splitRequests(plan: ValidPlan): [SplitRequest, SplitRequest] {
  const dataset = plan.dataset.type
  return [
    { dataset, train: plan.dataset.train },
    { dataset, train: false },
  ]
}

/**
 * Loads the two splits a document reads with `load` (from files, URLs or a cache: the caller's
 * choice), for {@link compileGraph}. Throws `fromGraph`'s `GRAPH_NOT_BUILDABLE` when the document
 * has errors.
 */
export async function loadGraphData(
  doc: GraphDocument,
  load: (request: SplitRequest) => Promise<RawSplit>,
): Promise<GraphData> {
  const plan = planGraph(doc)
  if (plan.errors.length > 0 || !plan.dataset) {
    fromGraph(doc) // throws GRAPH_NOT_BUILDABLE with the issues
  }
  const [trainRequest, testRequest] = splitRequests(plan as ValidPlan)
  const [train, test] = await Promise.all([load(trainRequest), load(testRequest)])
  return { train, test }
}

/**
 * Turns a graph document into everything a run needs: the model (initialised from the document's
 * seed), the transforms, both splits with them, the DataLoaders (the document's batch size and
 * shuffle, seeded; the test loader unshuffled), the criterion with its target encoding, the
 * optimizer, the settings and the warnings. The studio, `tensorloom train` and the exported
 * TypeScript program all train what this builds. Throws `GRAPH_NOT_BUILDABLE` (from `fromGraph`)
 * when the document has errors.
 *
 * @example
 * const data = await loadGraphData(doc, ({ dataset, train }) => MNIST.load({ root: './data', train }))
 * const run = compileGraph(doc, { data })
 * const trainer = new Trainer({ ...run, epochs: run.training.epochs })
 */
export function compileGraph(doc: GraphDocument, options: CompileOptions): CompiledRun {
  const built = fromGraph(doc, {
    ...(options.generator ? { generator: options.generator } : {}),
    ...(options.className ? { className: options.className } : {}),
  })
  const plan = built.plan as ValidPlan
  try {
    const transform = new Compose<RawImage, tf.Tensor>(plan.transforms.map(buildTransform))
    const Dataset = dataBuilders.datasets[plan.dataset.type]
    const view = (raw: RawSplit): GraphSplit => {
      const [count, height, width] = raw.shape
      const n = Math.min(count, options.limit ?? count)
      return new Dataset<tf.Tensor, number>({
        data: n === count ? raw.data : raw.data.subarray(0, n * height * width),
        targets: n === count ? raw.targets : raw.targets.subarray(0, n),
        shape: [n, height, width],
        train: raw.train,
        transform,
      })
    }
    const train = view(options.data.train)
    const test = view(options.data.test)
    const { batchSize, shuffle } = plan.loader.params
    const { seed } = plan.training
    const trainLoader = new DataLoader(train, { batchSize, shuffle, seed })
    const testLoader = new DataLoader(test, { batchSize: options.testBatchSize ?? 1000 })
    const criterion = trainingCriterion(built.loss!)
    const optimizer = createOptimizer(plan.training, built.model.parameters())
    return {
      plan,
      built,
      transform,
      train,
      test,
      trainLoader,
      testLoader,
      criterion,
      optimizer,
      training: { ...plan.training },
      warnings: plan.warnings,
      dispose() {
        optimizer.dispose()
        built.model.dispose()
      },
    }
  } catch (error) {
    built.model.dispose()
    throw error
  }
}
