export {
  createGenerator,
  DEFAULT_SEED as DEFAULT_GENERATOR_SEED,
  Generator,
  type GeneratorState,
  RandomError,
  type RandomSource,
  randperm,
} from '@tensorloom/random'
export type { ComputeMeanStdOptions, MeanStd } from './computeMeanStd.js'
export { computeMeanStd } from './computeMeanStd.js'
export type { Batch, BatchPath, DataLoaderOptions } from './DataLoader.js'
export { DataLoader } from './DataLoader.js'
export type { Dataset, RawImage, ResidentTensors, TensorBackedDataset } from './Dataset.js'
export { isTensorBacked } from './Dataset.js'
export type {
  DatasetFilesOptions,
  DatasetResource,
  DatasetSource,
  FileSource,
} from './datasets/datasetOptions.js'
export { FashionMNIST } from './datasets/FashionMNIST.js'
export type { MNISTInit, MNISTOptions } from './datasets/MNIST.js'
export { MNIST } from './datasets/MNIST.js'
export type { DownloadEvent } from './download.js'
export type {
  DataErrorCode,
  DataErrorDetails,
  DatasetErrorCode,
  DownloadAttempt,
  IdxErrorCode,
  OptionErrorCode,
  TransformErrorCode,
} from './errors.js'
export {
  DataError,
  DatasetError,
  DownloadError,
  IdxError,
  OptionError,
  TransformError,
} from './errors.js'
export { isGzip } from './gunzip.js'
export {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_INFLATED_BYTES,
  MAX_IDX_HEADER_BYTES,
  MAX_SHUFFLE_LENGTH,
} from './limits.js'
export { md5Hex } from './md5.js'
export type { IdxArray, IdxDtype, IdxTypedArrays, ParseIdxOptions } from './parseIdx.js'
export { IDX_DTYPE_CODES, parseIdx } from './parseIdx.js'
export { Compose } from './transforms/Compose.js'
export { Lambda } from './transforms/Lambda.js'
export { Normalize } from './transforms/Normalize.js'
export { ToTensor } from './transforms/ToTensor.js'
export type { Transform, TransformLike, TransformOutput } from './transforms/Transform.js'
