// Runs the README's first TypeScript example and checks what it prints against its own comments.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it, vi } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const generated = join(here, 'readme.generated.ts')
afterAll(() => rmSync(generated, { force: true }))

it('the README example runs and prints what its comments say', async () => {
  const readme = readFileSync(join(here, '..', 'README.md'), 'utf8')
  const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!
  writeFileSync(generated, code.replaceAll("'@tensorloom/layers'", "'../src/index'"))
  const printed: string[] = []
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '))
  })
  try {
    await import(/* @vite-ignore */ generated)
  } finally {
    spy.mockRestore()
  }
  // Each console.log(...) in the example is followed by `// expected` comment lines.
  const expected: string[] = []
  const lines = code.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const inline = /console\.log\(.*\) \/\/ (.*)$/.exec(line)
    if (inline) {
      expected.push(inline[1]!)
      continue
    }
    if (!line.startsWith('console.log(')) continue
    const block: string[] = []
    while (lines[i + 1]?.startsWith('// ')) block.push(lines[++i]!.slice(3))
    expected.push(block.join('\n'))
  }
  expect(printed).toHaveLength(3)
  expect(printed[0]).toBe(expected[0])
  expect(printed[1]).toBe(
    JSON.stringify([
      'layers.0.weight 128,784',
      'layers.0.bias 128',
      'layers.2.weight 10,128',
      'layers.2.bias 10',
    ]),
  )
  expect(expected[1]).toBe(
    "[ 'layers.0.weight 128,784', 'layers.0.bias 128', 'layers.2.weight 10,128', 'layers.2.bias 10' ]",
  )
  expect(printed[2]).toBe(expected[2]!.replaceAll(' ', ''))
})
