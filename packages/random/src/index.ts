export { createGenerator } from './createGenerator.js'
export { RandomError, type RandomErrorCode, type RandomErrorDetails } from './errors.js'
export { DEFAULT_SEED, Generator, type GeneratorState } from './Generator.js'
export { type RandomSource, randperm } from './randperm.js'
