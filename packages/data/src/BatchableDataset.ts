import type * as tf from '@tensorflow/tfjs-core'
import type { Dataset } from './Dataset.js'

/**
 * A dataset that builds a whole batch itself, in one op per tensor, instead of sample by sample:
 * {@link TensorDataset} and a {@link Subset} of it or of a tensor-backed dataset. `DataLoader` calls
 * `getBatch` for these (its `'dataset'` path).
 */
export interface BatchableDataset<TSample = unknown> extends Dataset<TSample> {
  /** The samples at `indices`, stacked: `[inputs, targets]`, new tensors owned by the caller. */
  getBatch(indices: Int32Array): [inputs: tf.Tensor, targets: tf.Tensor]
}

/** True when `dataset` implements {@link BatchableDataset}. */
export function isBatchable(dataset: object): dataset is BatchableDataset {
  return typeof (dataset as Partial<BatchableDataset>).getBatch === 'function'
}
