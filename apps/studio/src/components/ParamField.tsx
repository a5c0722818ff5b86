import type { NodeType, ParamSpec } from '@tensorloom/graph'
import { validateParam } from '@tensorloom/graph'
import { useId, useState } from 'react'
import { useFieldText } from './useFieldText'

/** How a value is written in its text box. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.join(', ')
  return String(value)
}

/** Reads a text box's text as the parameter's kind; strings that aren't numbers stay strings. */
export function parseValue(spec: ParamSpec, text: string): unknown {
  const t = text.trim()
  switch (spec.kind) {
    case 'int':
    case 'float':
      return t === '' || Number.isNaN(Number(t)) ? t : Number(t)
    case 'intOrNull':
      return t === '' ? null : Number.isNaN(Number(t)) ? t : Number(t)
    case 'floatList':
    case 'intList':
      return t === ''
        ? []
        : t.split(/[\s,]+/).map((part) => (Number.isNaN(Number(part)) ? part : Number(part)))
    case 'textList':
      return t === '' ? [] : t.split(',').map((part) => part.trim())
    default:
      return t
  }
}

function defaultText(spec: ParamSpec, value: unknown): string {
  if (value === null) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (Array.isArray(value)) return `(${value.join(', ')})`
  if (spec.kind === 'enum' || spec.kind === 'text') return `'${String(value)}'`
  return String(value)
}

/**
 * One typed input for a block parameter, labelled with PyTorch's name and default. A typed value
 * is applied on Enter or when the field loses focus, and only when `validateParam` accepts it;
 * otherwise it stays in the box with the message, and the block keeps its last valid value.
 */
export function ParamField(props: {
  nodeId: string
  nodeType: NodeType
  spec: ParamSpec
  value: unknown
  defaultValue: unknown
  onCommit: (value: unknown) => string | null
}) {
  const { spec, value, nodeType, onCommit } = props
  const id = useId()
  const [error, setError] = useState<string | null>(null)
  const field = useFieldText<unknown>({
    value,
    format: formatValue,
    read: (text) => {
      const next = parseValue(spec, text)
      return { value: next, problem: validateParam(nodeType, spec.name, next) }
    },
    commit: onCommit,
    errorKey: `param:${props.nodeId}.${spec.name}`,
    label: `${nodeType} ${spec.label}`,
  })

  const submit = (next: unknown) => {
    setError(validateParam(nodeType, spec.name, next) ?? onCommit(next))
  }

  const label = (
    <div className="field-label">
      <label htmlFor={id}>{spec.label}</label>
      <span className="field-default">default {defaultText(spec, props.defaultValue)}</span>
    </div>
  )
  const help = <div className="field-help">{spec.help}</div>
  const errorLine = (message: string | null) =>
    message && (
      <div className="field-error" role="alert" data-testid="field-error">
        {message}
      </div>
    )

  if (spec.kind === 'bool') {
    return (
      <div className="field">
        <div className="field-check">
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            data-param={spec.name}
            onChange={(e) => submit(e.target.checked)}
          />
          <label htmlFor={id} className="mono">
            {spec.label}
          </label>
          <span className="field-default">default {defaultText(spec, props.defaultValue)}</span>
        </div>
        {help}
        {errorLine(error)}
      </div>
    )
  }

  if (spec.kind === 'enum') {
    return (
      <div className="field">
        {label}
        <select
          id={id}
          value={String(value)}
          data-param={spec.name}
          onChange={(e) => submit(e.target.value)}
        >
          {spec.options?.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
        {help}
        {errorLine(error)}
      </div>
    )
  }

  // Text, not type=number: the browser would hide what was typed (`1e309` reads as empty).
  return (
    <div className="field">
      {label}
      <input
        id={id}
        type="text"
        inputMode={spec.kind === 'float' || spec.kind === 'floatList' ? 'decimal' : 'numeric'}
        autoComplete="off"
        spellCheck={false}
        placeholder={spec.kind === 'intOrNull' ? 'None' : undefined}
        data-param={spec.name}
        {...field.inputProps}
      />
      {help}
      {errorLine(field.error)}
    </div>
  )
}
