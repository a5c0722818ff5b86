/**
 * Characters a terminal acts on instead of printing: C0 controls (ESC starts `ESC]0;…` title and
 * `ESC]52;…` clipboard sequences, CR and LF forge lines), DEL, C1 controls (0x9B is a one-byte
 * CSI), the line and paragraph separators and the bidirectional overrides that reorder what is
 * shown ("Trojan Source").
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/**
 * `text` with every control character written as an escape (`\x1b`, `\r`, `\n`, `\u202e`), so a
 * document name, node id or file name prints as what it is and can do nothing to the terminal.
 * Human-readable output passes every value from outside through this; `--json` output is JSON,
 * which escapes them itself.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n'
    if (c === '\r') return '\\r'
    if (c === '\t') return '\\t'
    const code = c.charCodeAt(0)
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`
  })
}
