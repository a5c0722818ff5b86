import type { UpdateRuleSpec } from './rule'

/** One SGD step's hyper-parameters for one parameter (PyTorch 1.13's arguments). */
export interface SgdHyper {
  lr: number
  momentum: number
  dampening: number
  weightDecay: number
  nesterov: boolean
  maximize: boolean
  /** Whether the parameter's momentum buffer exists (false on its first step). */
  hasBuffer: boolean
}

/** The branches of an SGD step. */
export interface SgdFlags {
  maximize: boolean
  weightDecay: boolean
  /** No momentum; the first step (the buffer is the gradient); or later steps. */
  momentum: 'none' | 'first' | 'later'
  nesterov: boolean
}

type SgdConstant = 'weightDecay' | 'momentum' | 'keep' | 'lr'

type SgdState = 'momentumBuffer'

/** SGD with momentum: `_single_tensor_sgd` of PyTorch 1.13. */
export const sgdRule: UpdateRuleSpec<SgdHyper, SgdFlags, SgdConstant, SgdState> = {
  flags: (h) => ({
    maximize: h.maximize,
    weightDecay: h.weightDecay !== 0,
    momentum: h.momentum === 0 ? 'none' : h.hasBuffer ? 'later' : 'first',
    nesterov: h.momentum !== 0 && h.nesterov,
  }),
  key: (f) =>
    `sgd${f.maximize ? '-maximize' : ''}${f.weightDecay ? '-l2' : ''}${f.momentum === 'none' ? '' : `-${f.momentum}`}${f.nesterov ? '-nesterov' : ''}`,
  allFlags: () =>
    [false, true].flatMap((maximize) =>
      [false, true].flatMap((weightDecay) => [
        { maximize, weightDecay, momentum: 'none' as const, nesterov: false },
        ...(['first', 'later'] as const).flatMap((momentum) =>
          [false, true].map((nesterov) => ({ maximize, weightDecay, momentum, nesterov })),
        ),
      ]),
    ),
  state: (f) => (f.momentum === 'none' ? [] : ['momentumBuffer']),
  constants: (h) => ({
    weightDecay: h.weightDecay,
    momentum: h.momentum,
    keep: 1 - h.dampening,
    lr: h.lr,
  }),
  perStep: [],
  step(a, x, k, f) {
    // d_p = d_p_list[i] if not maximize else -d_p_list[i]
    let d = f.maximize ? a.neg(x.grad) : x.grad
    // d_p = d_p.add(param, alpha=weight_decay)
    if (f.weightDecay) d = a.add(d, a.mul(x.param, k.weightDecay))
    const state: Partial<Record<SgdState, typeof d>> = {}
    if (f.momentum !== 'none') {
      // buf = torch.clone(d_p) on the first step; else buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
      const buf =
        f.momentum === 'first'
          ? d
          : a.add(a.mul(x.state.momentumBuffer!, k.momentum), a.mul(d, k.keep))
      state.momentumBuffer = buf
      // d_p = d_p.add(buf, alpha=momentum) if nesterov else buf
      d = f.nesterov ? a.add(d, a.mul(buf, k.momentum)) : buf
    }
    // param.add_(d_p, alpha=-lr)
    return { param: a.sub(x.param, a.mul(d, k.lr)), state }
  },
}
