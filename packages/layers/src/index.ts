export { RandomError } from '@tensorloom/random'
export { AdaptiveAvgPool2d } from './AdaptiveAvgPool2d'
export { AvgPool2d, type AvgPool2dOptions } from './AvgPool2d'
export { BatchNorm1d, type BatchNorm1dOptions } from './BatchNorm1d'
export { BatchNorm2d, type BatchNorm2dOptions } from './BatchNorm2d'
export type { BatchNormBase, BatchNormOptions } from './BatchNormBase'
export { Conv2d, type Conv2dOptions } from './Conv2d'
export { createLayer, type LayerClasses } from './createLayer'
export { Dropout, type DropoutOptions } from './Dropout'
export { Dropout2d, type Dropout2dOptions } from './Dropout2d'
export { ELU } from './ELU'
export {
  LayersError,
  type LayersErrorCode,
  type LayersMessageKey,
  type LayersMessageValues,
  layersMessages,
} from './errors'
export { Flatten } from './Flatten'
export {
  type DataDescription,
  type FromGraphOptions,
  type FromGraphResult,
  fromGraph,
  type LossDescription,
} from './fromGraph'
export { logSoftmax, softmax } from './functional'
export { GELU, type GELUApproximate } from './GELU'
export {
  DEFAULT_SEED,
  defaultGenerator,
  Generator,
  type GeneratorState,
  getRngState,
  initialSeed,
  manualSeed,
  setRngState,
} from './Generator'
export { GraphModel, type GraphModelLayout, type GraphModelStep } from './GraphModel'
export { Identity } from './Identity'
export { calculateFanInAndFanOut, calculateGain, init, kaimingUniformBound } from './init'
export { Layer } from './Layer'
export { LayerNorm, type LayerNormOptions } from './LayerNorm'
export { LeakyReLU } from './LeakyReLU'
export { Linear, type LinearOptions } from './Linear'
export { LogSoftmax } from './LogSoftmax'
export { MAX_SAFETENSORS_HEADER_BYTES, MAX_SAFETENSORS_TENSORS } from './limits'
export { MaxPool2d } from './MaxPool2d'
export { type ForwardHook, Module, type RemovableHandle } from './Module'
export { mergeOps, runMerge } from './merges'
export { ReLU } from './ReLU'
export { Sequential } from './Sequential'
export { Sigmoid } from './Sigmoid'
export { SiLU } from './SiLU'
export { Softmax } from './Softmax'
export {
  decodeSafetensors,
  encodeSafetensors,
  encodeSafetensorsAsync,
  loadSafetensors,
  parseSafetensorsHeader,
  type SafetensorsDtype,
  type SafetensorsEntry,
  type SafetensorsHeader,
  type SafetensorsWriteOptions,
  saveSafetensors,
  saveSafetensorsAsync,
} from './safetensors'
export {
  type LoadStateDictOptions,
  type LoadStateDictResult,
  StateDictError,
} from './stateDict'
export { Tanh } from './Tanh'
