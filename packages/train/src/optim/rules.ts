import type * as tf from '@tensorflow/tfjs-core'
import { type AdamHyper, adamRule } from './adam'
import { UPDATE_LOOPS } from './loops.generated'
import type { UpdateRuleSpec } from './rule'
import { type SgdHyper, sgdRule } from './sgd'
import { tensorStep } from './tensors'

/** One parameter's update rule and this step's hyper-parameters (what the fast path passes on). */
export type RuleHyper = ({ kind: 'adam' } & AdamHyper) | ({ kind: 'sgd' } & SgdHyper)

/** A function of a rule and its hyper-parameters, whichever rule they are. */
export interface RuleVisitor<R> {
  visit<H, F, K extends string, S extends string>(spec: UpdateRuleSpec<H, F, K, S>, hyper: H): R
}

/** Calls `visitor` with `rule`'s spec and hyper-parameters. */
export function withRule<R>(rule: RuleHyper, visitor: RuleVisitor<R>): R {
  return rule.kind === 'adam' ? visitor.visit(adamRule, rule) : visitor.visit(sgdRule, rule)
}

/** The names of the state buffers `rule` keeps, in order. */
export function stateNames(rule: RuleHyper): string[] {
  return withRule(rule, { visit: (spec, hyper) => spec.state(spec.flags(hyper)) })
}

/**
 * One update of one parameter with the generated JavaScript loop of `rule`'s flags: the new
 * parameter into `out`, the state buffers (in the rule's order) updated in place.
 */
export function jsStep(
  rule: RuleHyper,
  param: Float32Array,
  grad: Float32Array,
  out: Float32Array,
  state: Float32Array[],
): void {
  withRule(rule, {
    visit(spec, hyper) {
      const loop = UPDATE_LOOPS[spec.key(spec.flags(hyper))]!
      loop(param.length, spec.constants(hyper), param, grad, out, state)
    },
  })
}

/**
 * One update of one parameter with tfjs ops (see {@link tensorStep}): the new parameter and the
 * new state buffers, in the rule's order.
 */
export function tensorUpdate(
  rule: RuleHyper,
  param: tf.Tensor,
  grad: tf.Tensor,
  state: tf.Tensor[],
): [tf.Tensor, tf.Tensor[]] {
  return withRule<[tf.Tensor, tf.Tensor[]]>(rule, {
    visit(spec, hyper) {
      const names = spec.state(spec.flags(hyper))
      const given: Partial<Record<(typeof names)[number], tf.Tensor>> = {}
      names.forEach((name, j) => {
        given[name] = state[j]
      })
      const out = tensorStep(spec, hyper, { param, grad, state: given })
      return [out.param, names.map((name) => out.state[name])]
    },
  })
}
