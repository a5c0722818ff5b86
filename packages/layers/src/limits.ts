/**
 * Every bound `@tensorloom/layers` puts on what it reads, in one place (the README's "Limits"
 * lists them): a hostile or broken safetensors file fails with a typed error, quickly, instead of
 * taking the memory or the event loop.
 */

/**
 * The largest safetensors header read, in bytes (16 MiB). A real one holds about 100 bytes per
 * tensor (a 7B-parameter language model's: 30 KB); the format's own cap is 100 MB, whose
 * JSON alone takes seconds to parse.
 */
export const MAX_SAFETENSORS_HEADER_BYTES = 16 * 2 ** 20

/**
 * The most tensors a safetensors file may hold (65,536; large language models have about a
 * thousand). A million-entry header was refused only after 19 s of validating and decoding.
 */
export const MAX_SAFETENSORS_TENSORS = 65_536
