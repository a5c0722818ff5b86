export { Adam, type AdamGroupOptions, type AdamOptions, AdamW } from './Adam'
export { CrossEntropyLoss, type CrossEntropyLossOptions } from './CrossEntropyLoss'
export {
  type Checkpoint,
  decodeCheckpoint,
  deserializeTensor,
  type EpochRecord,
  encodeCheckpoint,
  type SerializedOptimizerState,
  type SerializedTensor,
  serializeTensor,
} from './checkpoint'
export {
  type CompiledRun,
  type CompileOptions,
  compileGraph,
  datasetClasses,
  disposeGraphData,
  type GraphData,
  type GraphSplit,
  loadGraphData,
  type RawSplit,
  splitRequests,
  transformBuilders,
} from './compileGraph'
export {
  type DataSource,
  datasetLoaders,
  knownClasses,
  loadSplit,
  type SplitRequest,
} from './datasetLoaders'
export { TrainError, type TrainErrorCode } from './errors'
export {
  type BatchSource,
  type EvaluatableModel,
  type EvaluateOptions,
  type EvaluationResult,
  evaluate,
} from './evaluate'
export {
  FastEngine,
  type FastEngineOptions,
  type FastStep,
  type FastSupport,
  type FastTuning,
} from './fast/FastEngine'
export {
  createCriterion,
  createOptimizer,
  type LossSettings,
  lossBuilders,
  trainingCriterion,
} from './fromSettings'
export { gradientKernels, registerGradients } from './gradients'
export { type Criterion, Loss, type Reduction } from './Loss'
export { MSELoss, type MSELossOptions } from './MSELoss'
export { NLLLoss, type NLLLossOptions } from './NLLLoss'
export {
  disposeStateDict,
  type Gradients,
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamState,
  type ParamsArg,
} from './Optimizer'
export { SGD, type SGDGroupOptions, type SGDOptions } from './SGD'
export type { Listener, Subscribable } from './Store'
export {
  type BackendAttempt,
  type BackendSelection,
  defaultBackendOrder,
  type SelectBackendOptions,
  selectBackend,
} from './selectBackend'
export {
  type FitOptions,
  type FitResult,
  Trainer,
  type TrainerOptions,
  type TrainerState,
  type TrainerStatus,
} from './Trainer'
export type { WasmPaths } from './wasmPaths'
