/**
 * Every bound the studio puts on what it opens, in one place (the README's "Limits" lists them):
 * a share link, an opened file or an autosave that is too large, or that inflates too far, is
 * refused with a message instead of taking the tab's memory.
 */
import { MAX_DOCUMENT_BYTES } from '@tensorloom/graph'

/** The largest graph document opened, inflated or not (5 MiB): the graph package's limit. */
export { MAX_DOCUMENT_BYTES }

/**
 * The longest `#graph=` value decoded: the base64 of a 5 MiB document that deflate could not
 * shrink at all, with room to spare (browsers cut URLs at about 2 MB anyway).
 */
export const MAX_SHARE_LINK_CHARS = 8 * 2 ** 20

/** Deflate's largest expansion: one compressed byte inflates to at most about 1032 bytes. */
export const MAX_DEFLATE_RATIO = 1032
