import type { Block, InferContext, NodeRef, StepResult } from '../blocks/block.js'
import { blocks } from '../blocks/index.js'
import { insertBefore, REMOVE, setParam } from '../blocks/rules.js'
import type { ShapeResult } from '../issue.js'
import type { LayerType } from '../layerTypes.js'
import { isDatasetType } from '../modelChain.js'
import { formatPython } from '../python.js'
import { shapeRules } from '../shapeRules.js'
import { isValidValue, nodeSpecs, paramIssue, paramSpec } from '../specs.js'
import type { Info } from './Info.js'
import type { Report } from './Report.js'

/** Reports invalid parameters of a node; true when all are valid. */
export function checkParams(info: Info, report: Report): boolean {
  const { type, params, node } = info
  if (!type) return false
  let valid = true
  for (const spec of nodeSpecs[type].params) {
    const value = params[spec.name]
    if (isValidValue(spec, value)) continue
    valid = false
    const issue = paramIssue(type, spec.name, value)!
    const better = fixFromInput(info, spec.name)
    if (better !== undefined) {
      issue.fix = setParam(
        spec.name,
        better,
        `Set ${paramSpec(type, spec.name)!.label} = ${formatPython(better)}`,
      )
    }
    report.add(node.id, 'error', issue)
  }
  return valid
}

/** For size parameters, the value the input shape calls for (a better fix than the default). */
function fixFromInput(info: Info, param: string): number | number[] | undefined {
  const shape = info.input?.stage === 'batch' ? info.input.shape : undefined
  if (!shape || !info.type) return undefined
  const block: Block = blocks[info.type]
  if (block.kind !== 'layer') return undefined
  const fromInput = (
    block.paramFromInput as
      | Record<string, (s: readonly number[]) => number | number[] | undefined>
      | undefined
  )?.[param]
  return fromInput?.(shape)
}

const refOf = (info: Info): NodeRef => ({ id: info.node.id, type: info.type, params: info.params })

/** The node feeding `info` (its first known input). */
const upstreamOf = (info: Info, infos: readonly Info[]): Info | undefined => {
  const up = info.from >= 0 ? info.from : info.ins[0]
  return up === undefined ? undefined : infos[up]
}

/** What a block's rules may ask about the graph around `info` (answered when asked). */
class Context implements InferContext {
  constructor(
    private readonly info: Info,
    private readonly infos: readonly Info[],
    readonly paramsValid: boolean,
  ) {}

  get self(): string {
    return this.info.type ?? ''
  }

  get upstream(): NodeRef | null {
    return this.info.from >= 0 ? refOf(this.infos[this.info.from]!) : null
  }

  findUpstream(type: string): NodeRef | null {
    return this.walk(this.info, (i) => i.type === type, always)
  }

  dataset(): NodeRef | null {
    return this.walk(this.info, (i) => isDatasetType(i.type), always)
  }

  afterDataset(): NodeRef | null {
    let current: Info | undefined = this.info
    for (let guard = 0; current && guard < this.infos.length; guard++) {
      const up = upstreamOf(current, this.infos)
      if (up && isDatasetType(up.type)) return refOf(current)
      current = up
    }
    return null
  }

  lastLinear(): NodeRef | null {
    return this.walk(upstreamOf(this.info, this.infos), (i) => i.type === 'Linear', elementwise)
  }

  /** Walks up the first inputs from `from` to a node that is `found`, through those `through`. */
  private walk(
    from: Info | undefined,
    found: (i: Info) => boolean,
    through: (i: Info) => boolean,
  ): NodeRef | null {
    let current = from
    for (let guard = 0; current && guard < this.infos.length; guard++) {
      if (found(current)) return refOf(current)
      if (!through(current)) return null
      current = upstreamOf(current, this.infos)
    }
    return null
  }
}

const always = () => true
const elementwise = (i: Info) =>
  i.type !== null &&
  blocks[i.type].kind === 'layer' &&
  (blocks[i.type] as { elementwise?: boolean }).elementwise === true

/** Reports a block's findings on its node (or on the node a finding names). */
function reportResult(id: string, result: Omit<StepResult, 'output'>, report: Report): void {
  for (const e of result.errors ?? []) report.add(e.nodeId ?? id, 'error', e)
  for (const w of result.warnings ?? []) report.add(w.nodeId ?? id, 'warning', w)
}

/** Computes one node's output from its input and reports what is wrong. */
export function step(info: Info, infos: readonly Info[], report: Report): void {
  const { type, node, input } = info
  if (!type) return
  const id = node.id
  const block: Block = blocks[type]
  const paramsValid = checkParams(info, report)
  if (paramsValid && block.kind === 'layer') info.paramCount = block.paramCount(info.params)

  if (block.kind === 'dataset') {
    if (info.params.train === false) {
      report.warn(id, 'TRAINING_ON_TEST_SET', { type }, setParam('train', true, 'Set train = True'))
    }
    if (!paramsValid) return
    const problem = block.check?.(info.params)
    if (problem) {
      report.add(id, 'error', problem)
      return
    }
    const data = block.info(info.params)
    info.output = {
      stage: data.stage,
      shape: [...data.shape],
      dataset: type,
      task: data.task,
      classes: data.classes,
      stats: data.stats,
      normalized: false,
      afterLayer: false,
      batch: 0,
      mixedSizes: data.mixedSizes === true,
      heldOut: data.split === 'own',
    }
    return
  }
  if (block.kind === 'merge') {
    mergeStep(info, block, infos, report, paramsValid)
    return
  }
  if (!input) return
  const ctx = new Context(info, infos, paramsValid)

  if (block.kind === 'transform' || block.kind === 'loader' || block.kind === 'split') {
    if (input.afterLayer) report.error(id, 'DATA_AFTER_LAYER', { type }, REMOVE)
    else if (input.stage === 'batch') report.error(id, 'DATA_AFTER_DATALOADER', { type }, REMOVE)
    else {
      const result = block.infer(input, info.params, ctx)
      reportResult(id, result, report)
      info.output = result.output
    }
    return
  }

  if (input.stage !== 'batch') {
    const params = { ...nodeSpecs.DataLoader.defaults }
    report.error(id, 'MISSING_DATALOADER', { type }, insertBefore('DataLoader', params))
    return
  }

  if (block.kind === 'layer') {
    if (!paramsValid) return
    const rule = shapeRules[type as LayerType] as (i: readonly number[], p: unknown) => ShapeResult
    const result = rule(input.shape, info.params)
    if (!result.ok) {
      report.add(id, 'error', block.refineError?.(result.error, ctx) ?? result.error)
      return
    }
    info.output = { ...input, shape: result.shape, afterLayer: true }
    if (block.inspect) reportResult(id, block.inspect(input.shape, info.params, ctx), report)
    return
  }

  const result = block.infer(input, info.params as { reduction: string }, ctx)
  reportResult(id, result, report)
  info.output = result.output
}

/** A merge block: every input batched, then the block's shape rule over the inputs in port order. */
function mergeStep(
  info: Info,
  block: Extract<Block, { kind: 'merge' }>,
  infos: readonly Info[],
  report: Report,
  paramsValid: boolean,
): void {
  const id = info.node.id
  const flows = info.ports.map(({ source }) => infos[source]!.output)
  if (!paramsValid || flows.length === 0 || flows.some((f) => f === null)) return
  const inputs = flows as NonNullable<(typeof flows)[number]>[]
  if (inputs.some((f) => f.stage !== 'batch')) {
    const params = { ...nodeSpecs.DataLoader.defaults }
    report.error(id, 'MISSING_DATALOADER', { type: info.type! }, insertBefore('DataLoader', params))
    return
  }
  const ports = info.ports.map((p) => p.port)
  const result = block.shape(
    inputs.map((f) => f.shape),
    info.params,
    ports,
  )
  if (!result.ok) {
    report.add(id, 'error', result.error)
    return
  }
  info.output = { ...inputs[0]!, shape: result.shape, afterLayer: true }
  if (block.inspect)
    reportResult(
      id,
      block.inspect(
        inputs.map((f) => f.shape),
        info.params,
      ),
      report,
    )
}
