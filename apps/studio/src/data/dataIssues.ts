import type { GraphDocument, GraphNode, NodeIssue, ShapeInference } from '@tensorloom/graph'
import { isDatasetType } from '@tensorloom/graph'
import { workerMessages } from '../worker/workerErrors'
import type { StudioDatasetConfig } from './datasetConfig'
import type { FetchState } from './fetchState'
import type { StoredMeta } from './summary'
import { builtinId, isLocalSource } from './summary'

/** Fewer samples than this in a class draws a warning. */
export const FEW_PER_CLASS = 20
/** A class this many times larger than another draws a warning. */
export const IMBALANCE_RATIO = 3

/** What the data issues are judged from. */
export interface DataState {
  localData: Readonly<Record<string, StoredMeta>>
  /** False until the kept datasets have been listed (nothing is reported missing before). */
  dataListed: boolean
  fetched: Readonly<Partial<Record<'FashionMNIST' | 'CIFAR10', FetchState>>>
  config: StudioDatasetConfig
}

const issue = (
  nodeId: string,
  severity: NodeIssue['severity'],
  code: string,
  message: string,
): NodeIssue => ({ nodeId, severity, code, message })

const quote = (names: readonly string[]) => names.map((n) => `“${n}”`).join(', ')

/** Warnings about the balance and size of a classification dataset's classes. */
export function classWarnings(
  nodeId: string,
  noun: 'images' | 'rows',
  classes: readonly string[],
  counts: readonly number[],
  names: Readonly<Record<string, string>> = {},
): NodeIssue[] {
  const out: NodeIssue[] = []
  if (classes.length < 2 || counts.length !== classes.length) return out
  const label = (i: number) => names[classes[i]!] ?? classes[i]!
  const few = classes.map((_, i) => i).filter((i) => counts[i]! < FEW_PER_CLASS)
  if (few.length > 0) {
    const shown = few.slice(0, 3).map((i) => `${label(i)} (${counts[i]})`)
    out.push(
      issue(
        nodeId,
        'warning',
        'DATA_TOO_FEW',
        `Too few ${noun} to learn from in ${few.length === 1 ? 'class' : 'classes'} ${quote(shown)}${few.length > 3 ? ` and ${few.length - 3} more` : ''}: a network needs more examples per class, ${FEW_PER_CLASS} at the very least, and the test split takes some of them.`,
      ),
    )
  }
  const max = counts.indexOf(Math.max(...counts))
  const min = counts.indexOf(Math.min(...counts))
  const total = counts.reduce((a, b) => a + b, 0)
  if (counts[min]! > 0 && counts[max]! >= IMBALANCE_RATIO * counts[min]!) {
    const share = ((counts[max]! / total) * 100).toFixed(0)
    out.push(
      issue(
        nodeId,
        'warning',
        'DATA_IMBALANCE',
        `The classes are unbalanced: “${label(max)}” has ${counts[max]} ${noun}, “${label(min)}” ${counts[min]} (${(counts[max]! / counts[min]!).toFixed(1)}×). Always answering “${label(max)}” already scores ${share}%: compare the test accuracy with that, or even out the classes.`,
      ),
    )
  }
  return out
}

/** The classes of a dataset block, from its parameters (null for a regression target). */
export function classCount(node: GraphNode): number | null {
  const p = node.params as Record<string, unknown>
  switch (node.type) {
    case 'MNIST':
    case 'FashionMNIST':
    case 'CIFAR10':
      return 10
    case 'ImageFolder':
      return (p.classes as unknown[]).length
    case 'CSVDataset':
      return p.task === 'regression' ? null : (p.classes as unknown[]).length
    case 'Toy2D':
      return p.problem === 'blobs' ? (p.blobs as number) : 2
    default:
      return null
  }
}

/**
 * Outputs that do not fit the data, which PyTorch lets through: a classifier with more outputs
 * than the dataset has classes trains, but the extra outputs can never be right (a warning); a
 * regression model with several outputs for one target number is broadcast by PyTorch's MSELoss,
 * which the studio's runtime does not do (an error). Either way, after the dataset took the place
 * of MNIST, the last Linear gets a one-click fix.
 */
export function extraOutputs(doc: GraphDocument, inference: ShapeInference): NodeIssue[] {
  const dataset = doc.nodes.find((n) => isDatasetType(n.type))
  if (!dataset) return []
  const classes = classCount(dataset)
  const regression = dataset.type === 'CSVDataset' && classes === null
  if (!regression && (!classes || classes < 2)) return []
  const out: NodeIssue[] = []
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  for (const loss of doc.nodes) {
    const classLoss = loss.type === 'CrossEntropyLoss' || loss.type === 'NLLLoss'
    if (regression ? loss.type !== 'MSELoss' : !classLoss) continue
    const into = doc.edges.find((e) => e.target === loss.id)
    const shape = into ? inference.edges[into.id]?.shape : null
    if (!into || !shape || shape.length !== 2) continue
    const width = shape[1]!
    if (regression ? width === 1 : width <= classes!) continue
    // The Linear that makes the outputs: up through activations and dropout, not across merges.
    let node = byId.get(into.source)
    while (node && node.type !== 'Linear') {
      const ins = doc.edges.filter((e) => e.target === node!.id)
      node = ins.length === 1 ? byId.get(ins[0]!.source) : undefined
    }
    if (!node || (node.params as { outFeatures?: number }).outFeatures !== width) continue
    const target = (dataset.params as { target?: string }).target
    out.push(
      regression
        ? {
            nodeId: node.id,
            severity: 'error',
            code: 'DATA_TARGET_WIDTH',
            message: `The model gives ${width} numbers per sample, but the target (${target}) is one number: PyTorch's MSELoss would compare each of them with it (warning that the sizes differ), and the studio cannot train that. Give the last Linear one output.`,
            fix: {
              kind: 'setParam',
              nodeId: node.id,
              param: 'outFeatures',
              value: 1,
              label: 'Set out_features = 1',
            },
          }
        : {
            nodeId: node.id,
            severity: 'warning',
            code: 'DATA_EXTRA_OUTPUTS',
            message: `The model gives ${width} scores per sample, but the data has ${classes} classes: the other ${width - classes!} can never be right. Give the last Linear one output per class.`,
            fix: {
              kind: 'setParam',
              nodeId: node.id,
              param: 'outFeatures',
              value: classes,
              label: `Set out_features = ${classes}`,
            },
          },
    )
  }
  return out
}

/**
 * The issues of the graph's dataset blocks that shape inference cannot see: data that is not in
 * this browser (a dropped folder kept elsewhere, CIFAR-10's archive not dropped in yet,
 * FashionMNIST's download failed), and warnings about the data itself (too few samples per
 * class, unbalanced classes). Errors keep the header from saying “Shapes OK” and training from
 * starting on data that is not there.
 */
export function dataIssues(
  doc: GraphDocument,
  state: DataState,
  inference?: ShapeInference,
): NodeIssue[] {
  const out: NodeIssue[] = inference ? extraOutputs(doc, inference) : []
  for (const node of doc.nodes) {
    switch (node.type) {
      case 'ImageFolder':
      case 'CSVDataset': {
        const source = (node.params as { source?: unknown }).source
        const meta = typeof source === 'string' ? state.localData[source] : undefined
        if (!meta) {
          if (!state.dataListed) break
          const what =
            node.type === 'ImageFolder'
              ? 'a folder of images (one subfolder per class) or a .zip of one'
              : 'a .csv file'
          out.push(
            issue(
              node.id,
              'error',
              'DATA_MISSING',
              isLocalSource(source)
                ? workerMessages.LOCAL_DATA_MISSING({ source })
                : `No data yet: drop ${what} on this block, or choose it in the Block panel. It is kept in this browser, never uploaded.`,
            ),
          )
          break
        }
        const s = meta.summary
        if (s.kind === 'images') out.push(...classWarnings(node.id, 'images', s.classes, s.counts))
        if (s.kind === 'csv' && s.task === 'classification') {
          out.push(...classWarnings(node.id, 'rows', s.classes, s.counts, s.labelNames))
        }
        break
      }
      case 'FashionMNIST': {
        if (state.config.FashionMNIST.bundled || state.localData[builtinId('FashionMNIST')]) break
        if (!state.dataListed) break
        const fetched = state.fetched.FashionMNIST
        if (fetched?.state === 'failed') {
          out.push(
            issue(
              node.id,
              'error',
              'DATASET_DOWNLOAD_FAILED',
              fetched.message ?? 'The download failed.',
            ),
          )
        } else if (!state.config.FashionMNIST.download) {
          out.push(
            issue(
              node.id,
              'error',
              'DATASET_NEEDS_FILES',
              workerMessages.DATASET_NEEDS_FILES({ dataset: 'FashionMNIST' }),
            ),
          )
        }
        break
      }
      case 'CIFAR10': {
        if (!state.dataListed || state.localData[builtinId('CIFAR10')]) break
        out.push(
          issue(
            node.id,
            'error',
            'DATASET_NEEDS_FILES',
            workerMessages.DATASET_NEEDS_FILES({ dataset: 'CIFAR10' }),
          ),
        )
        break
      }
      default:
        break
    }
  }
  return out
}
