export { applyFix } from './applyFix.js'
export { blockSummary } from './blockSummary.js'
export type {
  Block,
  Category,
  DatasetBlock,
  Finding,
  Flow,
  InferContext,
  LayerBlock,
  LossBlock,
  MergeBlock,
  NodeRef,
  ParamInput,
  ParamsOf,
  ParamTable,
  PipelineBlock,
  Ports,
  StepResult,
} from './blocks/block.js'
export {
  defineDataset,
  defineLayer,
  defineLoss,
  defineMerge,
  definePipeline,
} from './blocks/block.js'
export type { BlockRegistry } from './blocks/index.js'
export { blockCode, blockOf, blocks, categories } from './blocks/index.js'
export type { PortAssignment } from './blocks/ports.js'
export { assignPorts } from './blocks/ports.js'
export { toPyTorch } from './codegen/toPyTorch.js'
export { toTypeScript } from './codegen/toTypeScript.js'
export type { ErrorCode, ErrorValues } from './errors.js'
export { errorMessages, ShapeError } from './errors.js'
export { fitToInput } from './fitToInput.js'
export { formatShape } from './formatShape.js'
export { GraphExportError } from './GraphExportError.js'
export type { ValidationProblem } from './GraphValidationError.js'
export { GraphValidationError } from './GraphValidationError.js'
export type { Clip, ConnectionRequest, MergeInputs, NodeCategory } from './graphEdit.js'
export {
  addNode,
  categoryOf,
  connect,
  connectionProblem,
  copySelection,
  deleteElements,
  edgePorts,
  hasInput,
  hasOutput,
  inputPorts,
  mergePorts,
  moveNodes,
  paste,
  reaches,
  reconnect,
  setParam,
  spliceIntoEdge,
  spliceProblem,
} from './graphEdit.js'
export { inferShapes } from './inferShapes.js'
export type { Fix, ShapeIssue, ShapeResult } from './issue.js'
export type { LayerParams, LayerType } from './layerTypes.js'
export { layerTypes } from './layerTypes.js'
export {
  CURRENT_VERSION,
  MAX_DEPTH,
  MAX_DOCUMENT_BYTES,
  MAX_EDGES,
  MAX_KEYS,
  MAX_NODES,
} from './limits.js'
export type { JsonObject, Migration } from './migrations.js'
export { migrations } from './migrations.js'
export { isDatasetType, isDataType, isLossType, modelChain } from './modelChain.js'
export { checkPackageName, isValidVersion, tarballName } from './npm/packageName.js'
export { type PackageFiles, packTarball, tar } from './npm/tarball.js'
export {
  type ModelCard,
  type ModelEvaluation,
  type ModelReference,
  NpmPackageError,
  type NpmPackageOptions,
  npmPackageProblem,
  toNpmPackage,
  toNpmTarball,
} from './npm/toNpmPackage.js'
export { parseGraph, safeParseGraph, serializeGraph } from './parseGraph.js'
export type {
  GraphPlan,
  PlannedDataset,
  PlannedLayer,
  PlannedLoss,
  PlannedNode,
  PlannedStep,
  ValidPlan,
} from './planGraph.js'
export { isValidPlan, planGraph } from './planGraph.js'
export { formatPython, formatTypeScript, pythonFloat, pythonNumber } from './python.js'
export {
  assertLayerShape,
  assertMergeShape,
  isLayerType,
  isMergeType,
  layerOutputShape,
  layerParamCount,
  MAX_LAYER_PARAMS,
  MAX_TENSOR_ELEMENTS,
  mergeOutputShape,
  shapeRules,
} from './shapeRules.js'
export { isNodeType, layerDefaults, nodeSpecs, nodeTypes, validateParam } from './specs.js'
export { templates } from './templates.js'
export { defaultTraining, trainingSpecs, validateTrainingSetting } from './training.js'
export type {
  DataLossParams,
  DatasetType,
  DataType,
  GraphDocument,
  GraphEdge,
  GraphNode,
  LossType,
  MergeType,
  NodeIssue,
  NodeParams,
  NodeSpec,
  NodeType,
  NodeTypeOfKind,
  ParamKind,
  ParamSpec,
  Reduction,
  ShapeInference,
  TrainingSettings,
} from './types.js'
