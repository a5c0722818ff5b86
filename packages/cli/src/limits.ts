/**
 * The bounds of the `tensorloom` command, in one place (the README's "Limits" lists them). The
 * data files `train` reads are bounded by `@tensorloom/data` (its `limits.ts`), the safetensors it
 * writes by `@tensorloom/layers`, the run itself by `@tensorloom/train`.
 */

/** The largest graph file read (5 MiB): the graph package's document limit. */
export { MAX_DOCUMENT_BYTES } from '@tensorloom/graph'

/** A graph file is read in chunks of this size, stopping one byte past the limit. */
export const READ_CHUNK_BYTES = 1 << 20
