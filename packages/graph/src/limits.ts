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
/** Horizontal distance between nodes laid out left to right. */
export const NODE_SPACING = 220
