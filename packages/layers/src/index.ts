export { RandomError } from '@tensorloom/random'
export { BatchNorm1d, type BatchNorm1dOptions } from './BatchNorm1d'
export { Conv2d, type Conv2dOptions } from './Conv2d'
export { createLayer, type LayerClasses } from './createLayer'
export { Dropout, type DropoutOptions } from './Dropout'
export { LayersError, type LayersErrorCode } from './errors'
export { Flatten } from './Flatten'
export {
  type DataDescription,
  type FromGraphOptions,
  type FromGraphResult,
  fromGraph,
  type LossDescription,
} from './fromGraph'
export { logSoftmax, softmax } from './functional'
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
export { calculateFanInAndFanOut, calculateGain, init, kaimingUniformBound } from './init'
export { Layer } from './Layer'
export { Linear, type LinearOptions } from './Linear'
export { LogSoftmax } from './LogSoftmax'
export { MaxPool2d } from './MaxPool2d'
export {
  type ForwardHook,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  Module,
  type RemovableHandle,
  StateDictError,
} from './Module'
export { mergeOps, runMerge } from './merges'
export { ReLU } from './ReLU'
export { Sequential } from './Sequential'
export { Sigmoid } from './Sigmoid'
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
export { Tanh } from './Tanh'
