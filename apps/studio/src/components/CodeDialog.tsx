import { useState } from 'react'
import { download } from '../lib/download'
import { Dialog } from './Dialog'

/** Generated code (or a link) with Copy and Download buttons. */
export function CodeDialog(props: {
  title: string
  text: string
  fileName: string
  onClose: () => void
}) {
  const [copied, setCopied] = useState(false)
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      testId="code-dialog"
      actions={
        <>
          <button
            type="button"
            className="btn"
            onClick={async () => {
              await navigator.clipboard.writeText(props.text).catch(() => undefined)
              setCopied(true)
            }}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
          {props.fileName && (
            <button
              type="button"
              className="btn primary"
              onClick={() => download(props.fileName, props.text, 'text/plain')}
            >
              Download {props.fileName}
            </button>
          )}
        </>
      }
    >
      {/* Focusable, so the keyboard can scroll it (axe: scrollable-region-focusable). */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable */}
      <pre className="code-view" tabIndex={0}>
        {props.text}
      </pre>
    </Dialog>
  )
}
