import type * as tf from '@tensorflow/tfjs-core'
import {
  CenterCrop,
  Compose,
  DataLoader,
  type Dataset,
  Grayscale,
  Normalize,
  RandomCrop,
  RandomHorizontalFlip,
  RandomRotation,
  type RawImage,
  Resize,
  randomSplit,
  Subset,
  ToTensor,
  type Transform,
} from '@tensorloom/data'
import {
  type GraphDocument,
  type NodeIssue,
  type NodeParams,
  type NodeTypeOfKind,
  type PlannedNode,
  planGraph,
  type TrainingSettings,
  type ValidPlan,
} from '@tensorloom/graph'
import {
  type FromGraphResult,
  fromGraph,
  type Generator,
  Generator as LayersGenerator,
} from '@tensorloom/layers'
import { datasetLoaders, type SplitRequest } from './datasetLoaders'
import { createOptimizer, trainingCriterion } from './fromSettings'
import type { Criterion } from './Loss'
import type { Optimizer } from './Optimizer'

/** A dataset as loaded, before the graph's transforms: `[image or features, label]` samples. */
export type RawSplit = Dataset<readonly [unknown, number]>

/** A dataset with the graph's transforms: `[tensor, label]` samples for the model. */
export type GraphSplit = Dataset<readonly [tf.Tensor, number]>

export type { SplitRequest } from './datasetLoaders'

/**
 * The samples a run reads, untransformed: the split the dataset node picks and the test split, or
 * (for a dataset with one set of samples, or a `RandomSplit`) the same set twice.
 */
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
  /** The per-image transforms (`Compose([ToTensor(), Normalize(...)])`), if the graph has any. */
  transform: Transform<RawImage, tf.Tensor> | undefined
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
 * The `@tensorloom/data` transform of every graph transform type, keyed by the same names as
 * `@tensorloom/graph`'s `blocks`: a transform type without one here does not compile. Random
 * transforms draw from `generator` (seeded from the document, so runs repeat).
 */
export const transformBuilders = {
  Resize: (p: NodeParams['Resize']) => new Resize(p.size as [number] | [number, number]),
  CenterCrop: (p: NodeParams['CenterCrop']) =>
    new CenterCrop(p.size as [number] | [number, number]),
  RandomCrop: (p: NodeParams['RandomCrop'], generator: Generator) =>
    new RandomCrop(p.size as [number] | [number, number], { padding: p.padding, generator }),
  RandomHorizontalFlip: (p: NodeParams['RandomHorizontalFlip'], generator: Generator) =>
    new RandomHorizontalFlip(p.p, { generator }),
  RandomRotation: (p: NodeParams['RandomRotation'], generator: Generator) =>
    new RandomRotation(p.degrees, { generator }),
  Grayscale: (p: NodeParams['Grayscale']) => new Grayscale(p.numOutputChannels === 3 ? 3 : 1),
  ToTensor: () => new ToTensor(),
  Normalize: (p: NodeParams['Normalize']) => new Normalize(p.mean, p.std),
} satisfies {
  [T in TransformType]: (params: NodeParams[T], generator: Generator) => Transform<never, unknown>
}

const buildTransform = (node: PlannedNode, generator: Generator): Transform<never, unknown> =>
  (
    transformBuilders[node.type as TransformType] as (
      p: unknown,
      g: Generator,
    ) => Transform<never, unknown>
  )(node.params, generator)

/** The splits a valid plan reads: one request for a single set, two for a dataset's own splits. */
export function splitRequests(plan: ValidPlan): SplitRequest[] {
  const { type: dataset, params, train, split } = plan.dataset
  const own = split === 'own'
  if (plan.split || !own) return [{ dataset, params, train: own ? train : null }]
  return [
    { dataset, params, train },
    { dataset, params, train: false },
  ]
}

/**
 * Loads the samples a document reads with `load` (from files, URLs or a cache: the caller's
 * choice; {@link datasetLoaders} loads them from a folder or file), for {@link compileGraph}.
 * Throws `fromGraph`'s `GRAPH_NOT_BUILDABLE` when the document has errors.
 */
export async function loadGraphData(
  doc: GraphDocument,
  load: (request: SplitRequest) => Promise<RawSplit>,
): Promise<GraphData> {
  const plan = planGraph(doc)
  if (plan.errors.length > 0 || !plan.dataset) {
    fromGraph(doc) // throws GRAPH_NOT_BUILDABLE with the issues
  }
  const [first, second] = splitRequests(plan as ValidPlan)
  if (!second) {
    const all = await load(first!)
    return { train: all, test: all }
  }
  const [train, test] = await Promise.all([load(first!), load(second)])
  return { train, test }
}

type WithTransform = { withTransform(t: Transform<RawImage, tf.Tensor>): GraphSplit }
const hasWithTransform = (d: object): d is WithTransform =>
  typeof (d as Partial<WithTransform>).withTransform === 'function'

/** Frees what a dataset holds on the device (its resident copy), looking through subsets. */
function disposeDataset(dataset: object): void {
  const inner = dataset instanceof Subset ? (dataset.dataset as object) : dataset
  ;(inner as { dispose?: () => void }).dispose?.()
}

/**
 * The class names of a dataset (torchvision's `classes`: MNIST's '0 - zero', an ImageFolder's
 * folder names), looking through subsets; undefined when it has none (a CSV file, toy points).
 */
export function datasetClasses(dataset: object): readonly string[] | undefined {
  let inner = dataset
  while (inner instanceof Subset) inner = inner.dataset as object
  const classes = (inner as { classes?: unknown }).classes
  return Array.isArray(classes) && classes.every((c) => typeof c === 'string')
    ? (classes as readonly string[])
    : undefined
}

/** Frees the device copies of the data {@link loadGraphData} loaded (the files stay read). */
export function disposeGraphData(data: GraphData): void {
  for (const dataset of new Set([data.train, data.test])) disposeDataset(dataset)
}

/** The first `n` samples of `dataset` (all of them when it has fewer). */
const first = <S>(dataset: Dataset<S>, n: number | undefined): Dataset<S> =>
  n === undefined || n >= dataset.length
    ? dataset
    : new Subset(
        dataset,
        Int32Array.from({ length: n }, (_, i) => i),
      )

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
    const { seed } = plan.training
    const augment = new LayersGenerator(seed)
    const steps = plan.transforms.map((node) => buildTransform(node, augment))
    const transform = steps.length > 0 ? new Compose<RawImage, tf.Tensor>(steps) : undefined
    const view = (raw: RawSplit): GraphSplit =>
      (transform && hasWithTransform(raw) ? raw.withTransform(transform) : raw) as GraphSplit
    let trainAll = view(options.data.train)
    let testAll = options.data.test === options.data.train ? trainAll : view(options.data.test)
    if (plan.split) {
      const { train: fraction, seed: splitSeed } = plan.split
      const lengths = [fraction, Math.round((1 - fraction) * 1e6) / 1e6]
      ;[trainAll, testAll] = randomSplit(
        trainAll,
        [lengths[0]!, lengths[1]!],
        splitSeed,
      ) as unknown as [GraphSplit, GraphSplit]
    }
    const train = first(trainAll, options.limit)
    const test = first(testAll, options.limit)
    const { batchSize, shuffle } = plan.loader.params
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
        for (const view of new Set([trainAll, testAll])) disposeDataset(view)
      },
    }
  } catch (error) {
    built.model.dispose()
    throw error
  }
}
