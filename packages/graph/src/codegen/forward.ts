import type { GraphPlan, PlannedStep } from '../planGraph.js'

/** One line of a branching network's `forward`, before it is written in a language. */
export type Statement =
  /** `target = self.<attribute>(arg)` */
  | { kind: 'call'; target: string; attribute: string; arg: string }
  /** `target = <merge of args>`, e.g. `x = x + identity` */
  | { kind: 'merge'; target: string; step: PlannedStep; args: string[] }
  /** `target = source`: keeps a value that a later merge needs (`identity = x`) */
  | { kind: 'copy'; target: string; source: string }

const LETTERS = 'abcdefghijklmnopqrstuvwyz'

/**
 * The statements of `forward` for a branching network, with the lesson's names: the main path
 * flows through `x`; a value a later merge reads directly is kept as `identity` (`identity = x`,
 * …, `x = x + identity`); parallel branches get `a`, `b`, … (`a = self.fc1(x)`, …,
 * `x = torch.cat([a, b], dim=1)`). A variable is reused once its value has no reader left.
 */
export function forwardStatements(plan: GraphPlan): { statements: Statement[]; result: string } {
  const steps = plan.steps
  const remaining = new Map<string, number>([['', 0]])
  for (const s of steps) remaining.set(s.id, 0)
  for (const s of steps)
    for (const input of s.inputs) remaining.set(input, remaining.get(input)! + 1)
  remaining.set(plan.output, remaining.get(plan.output)! + 1)

  const nameOf = new Map<string, string>([['', 'x']])
  const holding = new Map<string, string>([['x', '']])
  const statements: Statement[] = []
  const fresh = (base: 'identity' | 'letter'): string => {
    if (base === 'identity') {
      for (let n = 1; ; n++) {
        const name = n === 1 ? 'identity' : `identity${n}`
        if (!holding.has(name)) return name
      }
    }
    for (const letter of LETTERS) if (!holding.has(letter)) return letter
    for (let n = 1; ; n++) if (!holding.has(`x${n}`)) return `x${n}`
  }
  const release = (value: string) => {
    if (remaining.get(value)! > 0) return
    const name = nameOf.get(value)
    if (name !== undefined && holding.get(name) === value) holding.delete(name)
  }
  /** Whether a merge still to run reads `value` directly (a skip connection). */
  const skipReader = (value: string, from: number) =>
    steps.slice(from).some((s) => s.ports.length > 0 && s.inputs.includes(value))

  /** Values whose readers each start a branch of their own (`a = …(x)`, `b = …(x)`). */
  const branched = new Set<string>()

  steps.forEach((step, index) => {
    for (const input of step.inputs) remaining.set(input, remaining.get(input)! - 1)
    const args = step.inputs.map((input) => nameOf.get(input)!)
    let target: string
    if (step.ports.length === 0) {
      const input = step.inputs[0]!
      const name = args[0]!
      if (remaining.get(input) === 0 && !branched.has(input)) {
        target = name
      } else if (name === 'x' && skipReader(input, index + 1)) {
        const keep = fresh('identity')
        statements.push({ kind: 'copy', target: keep, source: 'x' })
        nameOf.set(input, keep)
        holding.set(keep, input)
        target = 'x'
      } else {
        branched.add(input)
        for (const input of step.inputs) release(input)
        target = fresh('letter')
      }
      for (const input of step.inputs) release(input)
      statements.push({
        kind: 'call',
        target,
        attribute: (step as { path: string }).path,
        arg: name,
      })
    } else {
      for (const input of step.inputs) release(input)
      target = holding.has('x') ? (args.find((a) => !holding.has(a)) ?? fresh('letter')) : 'x'
      statements.push({ kind: 'merge', target, step, args })
    }
    nameOf.set(step.id, target)
    holding.set(target, step.id)
  })
  return { statements, result: nameOf.get(plan.output) ?? 'x' }
}
