import { useReactFlow } from '@xyflow/react'
import { useEffect, useRef, useState } from 'react'
import { fromInput, takeDrop } from '../data/collectFiles'
import type { DropTarget } from '../store/dataSlice'
import { useStudio, useStudioStore } from '../store/useStudio'
import '../data/data.css'

type PickKind = 'folder' | 'file'

/** Opens the file dialog of the hidden inputs below (they outlive the menus that ask for them). */
let openPicker: ((kind: PickKind, target: DropTarget) => void) | null = null

/** Asks the user for a folder of images, or a .zip/.csv (or IDX files, an archive) for `target`. */
export function pickData(kind: PickKind, target: DropTarget = {}): void {
  openPicker?.(kind, target)
}

function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files')
}

/** The block under a point, if any. */
function blockAt(x: number, y: number): string | null {
  const el = document.elementFromPoint(x, y)?.closest('[data-node-id]')
  return el?.getAttribute('data-node-id') ?? null
}

/**
 * Dropping data on the canvas: a folder of images (one subfolder per class), a .zip of one, or a
 * .csv file — onto a block to fill it, or anywhere else to put the dataset in the graph. Also the
 * hidden file inputs behind “Add data” and the progress of an import.
 */
export function DataDrop() {
  const store = useStudioStore()
  const flow = useReactFlow()
  const importing = useStudio((s) => s.importing)
  const [over, setOver] = useState<{ block: boolean; rect: DOMRect } | null>(null)
  const folder = useRef<HTMLInputElement>(null)
  const file = useRef<HTMLInputElement>(null)
  const target = useRef<DropTarget>({})

  useEffect(() => {
    openPicker = (kind, where) => {
      target.current = where
      ;(kind === 'folder' ? folder : file).current?.click()
    }
    return () => {
      openPicker = null
    }
  }, [])

  useEffect(() => {
    const onCanvas = (event: DragEvent) =>
      (event.target as Element | null)?.closest?.('main.canvas') != null
    let leaveTimer: number | undefined
    const onOver = (event: DragEvent) => {
      if (!hasFiles(event)) return
      // Files dropped anywhere else would make the browser open them in place of the studio.
      event.preventDefault()
      if (!onCanvas(event)) {
        if (event.dataTransfer) event.dataTransfer.dropEffect = 'none'
        return
      }
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
      window.clearTimeout(leaveTimer)
      const block = blockAt(event.clientX, event.clientY) !== null
      const canvas = document.querySelector('main.canvas')
      setOver((o) =>
        o?.block === block || !canvas ? o : { block, rect: canvas.getBoundingClientRect() },
      )
    }
    const onLeave = () => {
      // dragleave fires between child elements too: only a quiet moment means the drag left.
      window.clearTimeout(leaveTimer)
      leaveTimer = window.setTimeout(() => setOver(null), 120)
    }
    const onDrop = (event: DragEvent) => {
      setOver(null)
      if (!hasFiles(event) || !event.dataTransfer) return
      event.preventDefault()
      if (!onCanvas(event)) return
      const read = takeDrop(event.dataTransfer)
      if (!read) return
      const nodeId = blockAt(event.clientX, event.clientY)
      const at = flow.screenToFlowPosition({ x: event.clientX - 120, y: event.clientY - 40 })
      void read().then(({ name, files }) =>
        store.getState().importFiles(name, files, { nodeId, at }),
      )
    }
    window.addEventListener('dragover', onOver)
    window.addEventListener('dragleave', onLeave)
    window.addEventListener('drop', onDrop)
    return () => {
      window.removeEventListener('dragover', onOver)
      window.removeEventListener('dragleave', onLeave)
      window.removeEventListener('drop', onDrop)
    }
  }, [flow, store])

  const onPicked = (input: HTMLInputElement | null) => {
    const list = input?.files
    if (!input || !list || list.length === 0) return
    const { name, files } = fromInput(list)
    input.value = ''
    void store.getState().importFiles(name, files, target.current)
  }

  return (
    <>
      <input
        ref={folder}
        type="file"
        hidden
        // A folder: the browser lists every file in it with its relative path.
        {...{ webkitdirectory: '', directory: '' }}
        data-testid="data-folder-input"
        onChange={(e) => onPicked(e.target)}
      />
      <input
        ref={file}
        type="file"
        hidden
        multiple
        accept=".zip,.csv,.txt,.gz,.tgz,application/zip,text/csv"
        data-testid="data-file-input"
        onChange={(e) => onPicked(e.target)}
      />
      {over && (
        <div
          className={`data-drop-overlay ${over.block ? 'on-block' : ''}`}
          data-testid="data-drop-overlay"
          style={{
            left: over.rect.left,
            top: over.rect.top,
            width: over.rect.width,
            height: over.rect.height,
          }}
        >
          <div>
            <strong>
              {over.block ? 'Drop to use this data in the block' : 'Drop to add a dataset'}
            </strong>
            <span>
              A folder of images (one subfolder per class), a .zip of one, or a .csv file. It stays
              in this browser: nothing is uploaded.
            </span>
          </div>
        </div>
      )}
      {importing && (
        <div className="data-import-status" role="status" data-testid="data-importing">
          <span>
            {importing.name}: {importing.label}
            {importing.total > 1
              ? ` ${importing.done.toLocaleString('en-US')}/${importing.total.toLocaleString('en-US')}`
              : '…'}
          </span>
          <div className="progress-track">
            <div
              className="progress-fill"
              style={{
                width: `${importing.total > 0 ? (importing.done / importing.total) * 100 : 5}%`,
              }}
            />
          </div>
        </div>
      )}
    </>
  )
}
