export { type CheckOptions, check } from './commands/check.js'
export { type ExportTarget, exportGraph, exportTargets } from './commands/exportGraph.js'
export { newGraph, templateNames } from './commands/newGraph.js'
export {
  type BinaryReader,
  type PackCommandOptions,
  packageNameFor,
  packGraph,
} from './commands/pack.js'
export {
  type BinaryWriter,
  formatProgress,
  type ProgressView,
  type TrainCommandOptions,
  trainGraph,
} from './commands/train.js'
export { type CliIO, nodeIO } from './io.js'
export { main, usage } from './main.js'
