/**
 * Every bound `@tensorloom/data` puts on what it reads, in one place (the README's "Limits" lists
 * them). Each exists so that a hostile or broken input fails with a typed error instead of taking
 * the memory, the event loop or the process with it.
 */

/**
 * The default cap on how far gzip input may inflate, and on a download, in bytes (1 GiB): far
 * above MNIST's largest file (47 MB), far below what fits nowhere. The IDX header's own declared
 * size caps inflating further. Raise it with the `maxInflatedBytes` option.
 */
export const DEFAULT_MAX_INFLATED_BYTES = 2 ** 30

/**
 * The largest IDX header (magic number and 255 dimensions), in bytes: what is read of a file
 * before its header says how large the rest may be.
 */
export const MAX_IDX_HEADER_BYTES = 4 + 4 * 255

/**
 * The longest dataset a `DataLoader` shuffles (4,194,304 samples: 70 × MNIST, 3 × ImageNet's
 * training set). Every epoch draws a permutation of all of them at once, as PyTorch's `randperm`
 * does: 16 MB and about 0.7 s on a slow machine at this length; a 1e9-long dataset would block the
 * event loop for minutes and allocate 4 GB.
 */
export const MAX_SHUFFLE_LENGTH = 2 ** 22

/** A download that sends nothing for this long is given up (ms; the `idleTimeoutMs` option). */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000
