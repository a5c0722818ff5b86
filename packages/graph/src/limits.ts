/**
 * Every bound `@tensorloom/graph` puts on a document and on the networks it describes, in one
 * place (the README's "Limits" lists them): a hostile or broken document is refused with a typed
 * error, within a bounded time, instead of exhausting memory or the stack.
 */

/** The document version this Tensorloom writes. */
export const CURRENT_VERSION = 2
/** Largest document `parseGraph` reads, in bytes of JSON (5 MiB). */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
/** Most nodes a document may hold. */
export const MAX_NODES = 5000
/** Most edges a document may hold. */
export const MAX_EDGES = 20_000
/** Deepest nesting of objects and arrays a document may have. */
export const MAX_DEPTH = 32
/** Most keys one object in a document may have (a valid one has at most a dozen). */
export const MAX_KEYS = 1000
/** The most trainable parameters one layer may have (400 MB of float32). */
export const MAX_LAYER_PARAMS = 100_000_000
/** The most elements a layer's output may hold. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1
/** The highest tensor rank a shape rule accepts. */
export const MAX_RANK = 8
/** Horizontal distance between nodes laid out left to right. */
export const NODE_SPACING = 220
