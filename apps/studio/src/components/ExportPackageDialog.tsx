import { checkPackageName, inferShapes, isValidVersion } from '@tensorloom/graph'
import type { ReactNode } from 'react'
import { useId, useMemo, useState } from 'react'
import { download, slug } from '../lib/download'
import { useStudio, useStudioStore } from '../store/useStudio'
import { Dialog } from './Dialog'

const LICENSES = ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC', 'CC-BY-4.0', 'UNLICENSED']

function Field(props: {
  label: string
  help: string
  error?: string | null
  children: (id: string) => ReactNode
}) {
  const id = useId()
  return (
    <div className="field">
      <div className="field-label">
        <label htmlFor={id}>{props.label}</label>
      </div>
      {props.children(id)}
      <div className="field-help">{props.help}</div>
      {props.error && (
        <div className="field-error" role="alert" data-testid="package-error">
          {props.error}
        </div>
      )}
    </div>
  )
}

/**
 * File → Export as npm package: names the package (checked as npm checks names), and downloads
 * the trained network as a .tgz that `npm publish` takes.
 */
export function ExportPackageDialog(props: { onClose: () => void }) {
  const store = useStudioStore()
  // The trained network's graph, which may no longer be the one on the canvas.
  const graphName = useStudio((s) => s.model?.doc.name ?? s.doc.name)
  const trainedDoc = useStudio((s) => s.model?.doc ?? null)
  const canvasParams = useStudio((s) => s.inference.totalParams)
  const params = useMemo(
    () => (trainedDoc ? inferShapes(trainedDoc).totalParams : canvasParams),
    [trainedDoc, canvasParams],
  )
  const accuracy = useStudio((s) => s.model?.results.testAccuracy ?? null)
  const [name, setName] = useState(() => slug(graphName))
  const [version, setVersion] = useState('1.0.0')
  const [license, setLicense] = useState('MIT')
  const [description, setDescription] = useState('')
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState<string | null>(null)
  const [failure, setFailure] = useState<string | null>(null)

  const nameProblems = checkPackageName(name)
  const versionProblem = isValidVersion(version) ? null : 'use semver, e.g. 1.0.0'
  const valid = nameProblems.length === 0 && versionProblem === null

  const exportPackage = async () => {
    setBusy(true)
    setFailure(null)
    try {
      const reply = await store.getState().exportPackage({ name, version, license, description })
      download(reply.fileName, reply.bytes, 'application/gzip')
      setSaved(reply.fileName)
    } catch (error) {
      setFailure((error as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Dialog
      title="Export as npm package"
      onClose={props.onClose}
      testId="package-dialog"
      actions={
        <>
          <button type="button" className="btn" onClick={props.onClose}>
            {saved ? 'Done' : 'Cancel'}
          </button>
          <button
            type="button"
            className="btn primary"
            disabled={!valid || busy}
            onClick={exportPackage}
            data-testid="package-download"
          >
            {busy ? 'Packing…' : 'Download .tgz'}
          </button>
        </>
      }
    >
      <p className="lead">
        “{graphName}” with its trained weights ({params.toLocaleString('en-US')} parameters
        {accuracy === null ? '' : `, ${(accuracy * 100).toFixed(2)}% test accuracy`}) as a package
        anyone can install: typed <code>predict(image)</code> and <code>load()</code> on{' '}
        <code>@tensorloom/layers</code>, the weights as safetensors, the graph, and a README with
        what it was trained on, its accuracy and confusion matrix.
      </p>
      <div className="form-grid">
        <div className="wide">
          <Field
            label="Package name"
            help="Lowercase, URL-safe; a scope (@you/digits) keeps it under your npm account."
            error={nameProblems.length > 0 ? nameProblems.join('; ') : null}
          >
            {(id) => (
              <input
                id={id}
                type="text"
                value={name}
                spellCheck={false}
                aria-invalid={nameProblems.length > 0 ? true : undefined}
                data-testid="package-name"
                onChange={(e) => setName(e.target.value)}
              />
            )}
          </Field>
        </div>
        <Field label="Version" help="Semver: bump it for each publish." error={versionProblem}>
          {(id) => (
            <input
              id={id}
              type="text"
              value={version}
              aria-invalid={versionProblem ? true : undefined}
              data-testid="package-version"
              onChange={(e) => setVersion(e.target.value.trim())}
            />
          )}
        </Field>
        <Field label="License" help="The license field of package.json.">
          {(id) => (
            <select id={id} value={license} onChange={(e) => setLicense(e.target.value)}>
              {LICENSES.map((l) => (
                <option key={l} value={l}>
                  {l === 'UNLICENSED' ? 'UNLICENSED (private)' : l}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="wide">
          <Field label="Description" help="Optional: one line for npm search.">
            {(id) => (
              <input
                id={id}
                type="text"
                value={description}
                maxLength={200}
                onChange={(e) => setDescription(e.target.value)}
              />
            )}
          </Field>
        </div>
      </div>
      {failure && (
        <div className="issue-card error" role="alert">
          {failure}
        </div>
      )}
      {saved && (
        <div className="package-next" data-testid="package-saved">
          Saved <code>{saved}</code>. Publish it with
          <pre className="code-view">npm publish {saved}</pre>
          or try it first: <code>npm install ./{saved}</code>
        </div>
      )}
    </Dialog>
  )
}
