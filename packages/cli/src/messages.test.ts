import { describe, expect, it } from 'vitest'
import { escapeControl } from './escape.js'
import { cliMessage, cliMessages } from './messages.js'

describe('cliMessages', () => {
  it('builds each message from its values, with their control characters escaped', () => {
    expect(cliMessage('CANNOT_READ', { path: 'g.json', reason: 'ENOENT' })).toBe(
      'tensorloom: cannot read g.json: ENOENT',
    )
    expect(
      cliMessage('INVALID_DOCUMENT', { path: '\u001b]0;x\u0007.json', code: 'NOT_JSON' }),
    ).toBe('\\x1b]0;x\\x07.json: invalid graph document [NOT_JSON]')
    expect(cliMessage('UNKNOWN_TEMPLATE', { template: 'x\r\ny', names: ['a', 'b\u009b'] })).toBe(
      'unknown template "x\\r\\ny": use a, b\\x9b',
    )
    expect(cliMessage('CHECK_NEEDS_FILE')).toBe('check needs a graph file')
  })

  it('has one entry per message, each a function of its values', () => {
    for (const [key, build] of Object.entries(cliMessages)) {
      expect(typeof build, key).toBe('function')
    }
  })

  it('escapes C0, DEL, C1, line separators and bidi overrides, and nothing else', () => {
    expect(escapeControl('a\tb\u0000c\u007fd\u0085e\u2028f\u202eg\u2066h')).toBe(
      'a\\tb\\x00c\\x7fd\\x85e\\u2028f\\u202eg\\u2066h',
    )
    expect(escapeControl('C:\\graphs\\é ü 漢字 😀')).toBe('C:\\graphs\\é ü 漢字 😀')
  })
})
