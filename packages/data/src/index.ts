export {
  createGenerator,
  DEFAULT_SEED as DEFAULT_GENERATOR_SEED,
  Generator,
  type GeneratorState,
  RandomError,
  type RandomSource,
  randperm,
} from '@tensorloom/random'
// One's own data: datasets, splits, image transforms (issue 15).
export type { BatchableDataset } from './BatchableDataset.js'
export { isBatchable } from './BatchableDataset.js'
export type { ComputeMeanStdOptions, MeanStd } from './computeMeanStd.js'
export { computeMeanStd } from './computeMeanStd.js'
export type { Batch, BatchPath, DataLoaderOptions } from './DataLoader.js'
export { DataLoader } from './DataLoader.js'
export type { Dataset, RawImage, ResidentTensors, TensorBackedDataset } from './Dataset.js'
export { isTensorBacked } from './Dataset.js'
export type { CIFAR10Options } from './datasets/CIFAR10.js'
export { CIFAR10 } from './datasets/CIFAR10.js'
export type {
  DatasetFilesOptions,
  DatasetResource,
  DatasetSource,
  FileSource,
} from './datasets/datasetOptions.js'
export { FashionMNIST } from './datasets/FashionMNIST.js'
export type {
  ImageFolderInit,
  ImageFolderOptions,
  ImageFolderScan,
  ImageFolderSource,
  SkippedFile,
} from './datasets/ImageFolder.js'
export { ImageFolder } from './datasets/ImageFolder.js'
export type { FromZipOptions, InputFile } from './datasets/inputFiles.js'
export { fromZip } from './datasets/inputFiles.js'
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
export { InputError } from './InputError.js'
export type { DecodedPixels, ImageDecoder } from './images/decoders.js'
export {
  browserImageDecoder,
  defaultImageDecoder,
  hasBrowserImageDecoding,
  libraryImageDecoder,
} from './images/decoders.js'
export type { HeaderProblem, ImageHeader } from './images/imageHeader.js'
export { readImageHeader } from './images/imageHeader.js'
export type { InputErrorCode, InputErrorDetails } from './inputErrors.js'
export {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_INFLATED_BYTES,
  MAX_IDX_HEADER_BYTES,
  MAX_SHUFFLE_LENGTH,
} from './limits.js'
export { md5Hex } from './md5.js'
export { OWN_DATA_LIMITS, type OwnDataLimit } from './ownDataLimits.js'
export type { IdxArray, IdxDtype, IdxTypedArrays, ParseIdxOptions } from './parseIdx.js'
export { IDX_DTYPE_CODES, parseIdx } from './parseIdx.js'
export { randomSplit, Subset } from './Subset.js'
export type { TensorDatasetOptions, TensorDatasetTargets } from './TensorDataset.js'
export { TensorDataset } from './TensorDataset.js'
export type {
  CsvDatasetOptions,
  CsvReadOptions,
  CsvScan,
  CsvScanOptions,
} from './tables/CSVDataset.js'
export { CSVDataset } from './tables/CSVDataset.js'
export type { CsvSource } from './tables/csvRows.js'
export type {
  BlobsOptions,
  CirclesOptions,
  ShuffledToyOptions,
  ToyOptions,
} from './toy/toyDatasets.js'
export { blobs, circles, moons, spirals, xor } from './toy/toyDatasets.js'
export { CenterCrop } from './transforms/CenterCrop.js'
export { Compose } from './transforms/Compose.js'
export { Grayscale } from './transforms/Grayscale.js'
export { Lambda } from './transforms/Lambda.js'
export { Normalize } from './transforms/Normalize.js'
export type { RandomCropOptions } from './transforms/RandomCrop.js'
export { RandomCrop } from './transforms/RandomCrop.js'
export { RandomHorizontalFlip } from './transforms/RandomHorizontalFlip.js'
export type { RandomRotationOptions } from './transforms/RandomRotation.js'
export { RandomRotation } from './transforms/RandomRotation.js'
export type { Interpolation } from './transforms/Resize.js'
export { Resize } from './transforms/Resize.js'
export type { RandomTransformOptions } from './transforms/rawImage.js'
export { ToTensor } from './transforms/ToTensor.js'
export type { Transform, TransformLike, TransformOutput } from './transforms/Transform.js'
