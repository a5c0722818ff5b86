import type { NodeType, ParamSpec } from '@tensorloom/graph'
import { validateParam } from '@tensorloom/graph'
import { useEffect, useId, useRef, useState } from 'react'

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
 * One typed input for a block parameter, labelled with PyTorch's name and default. Values that
 * `validateParam` refuses stay in the box with its message and are not applied.
 */
export function ParamField(props: {
  nodeType: NodeType
  spec: ParamSpec
  value: unknown
  defaultValue: unknown
  onCommit: (value: unknown) => string | null
}) {
  const { spec, value, nodeType, onCommit } = props
  const id = useId()
  const [text, setText] = useState(() => formatValue(value))
  const [error, setError] = useState<string | null>(null)
  const committed = useRef(value)

  // Undo, redo or a fix changed the value from outside: show it.
  useEffect(() => {
    if (value !== committed.current) {
      committed.current = value
      setText(formatValue(value))
      setError(null)
    }
  }, [value, spec])

  const submit = (next: unknown) => {
    const problem = validateParam(nodeType, spec.name, next) ?? onCommit(next)
    setError(problem)
    if (!problem) committed.current = next
  }

  const label = (
    <div className="field-label">
      <label htmlFor={id}>{spec.label}</label>
      <span className="field-default">default {defaultText(spec, props.defaultValue)}</span>
    </div>
  )
  const help = <div className="field-help">{spec.help}</div>
  const errorLine = error && (
    <div className="field-error" role="alert" data-testid="field-error">
      {error}
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
            onChange={(e) => submit(e.target.checked)}
          />
          <label htmlFor={id} className="mono">
            {spec.label}
          </label>
          <span className="field-default">default {defaultText(spec, props.defaultValue)}</span>
        </div>
        {help}
        {errorLine}
      </div>
    )
  }

  if (spec.kind === 'enum') {
    return (
      <div className="field">
        {label}
        <select id={id} value={String(value)} onChange={(e) => submit(e.target.value)}>
          {spec.options?.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
        {help}
        {errorLine}
      </div>
    )
  }

  const numeric = spec.kind === 'int' || spec.kind === 'float' || spec.kind === 'intOrNull'
  return (
    <div className="field">
      {label}
      <input
        id={id}
        type={numeric ? 'number' : 'text'}
        inputMode={spec.kind === 'float' || spec.kind === 'floatList' ? 'decimal' : 'numeric'}
        step={spec.kind === 'float' ? 'any' : 1}
        value={text}
        placeholder={spec.kind === 'intOrNull' ? 'None' : undefined}
        aria-invalid={error ? true : undefined}
        data-param={spec.name}
        onChange={(e) => {
          setText(e.target.value)
          submit(parseValue(spec, e.target.value))
        }}
      />
      {help}
      {errorLine}
    </div>
  )
}
