import type { DroppedFile } from '../store/dataSlice'

/** What was dropped or picked: a name for it and its files. */
export interface Dropped {
  name: string
  files: DroppedFile[]
}

const stripSlash = (path: string) => path.replace(/^\/+/, '')

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject))
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject))
}

/** Every file under `entry`, with its path from the dropped folder. */
async function walk(entry: FileSystemEntry, out: DroppedFile[]): Promise<void> {
  if (entry.isFile) {
    out.push({ path: stripSlash(entry.fullPath), file: await fileOf(entry as FileSystemFileEntry) })
    return
  }
  if (!entry.isDirectory) return
  const reader = (entry as FileSystemDirectoryEntry).createReader()
  // readEntries answers in batches (100 in Chromium) until it answers none.
  for (;;) {
    const batch = await readEntries(reader)
    if (batch.length === 0) break
    for (const child of batch) await walk(child, out)
  }
}

/**
 * Takes what a drop event carries, synchronously (the items are gone once the event is over),
 * and reads the folders in it afterwards. A dropped folder keeps its structure
 * (`pets/cat/1.png`); dropped files are taken as they are.
 */
export function takeDrop(dataTransfer: DataTransfer): (() => Promise<Dropped>) | null {
  const entries: FileSystemEntry[] = []
  const loose: File[] = []
  for (const item of Array.from(dataTransfer.items ?? [])) {
    if (item.kind !== 'file') continue
    const entry = item.webkitGetAsEntry?.()
    if (entry) entries.push(entry)
    else {
      const file = item.getAsFile()
      if (file) loose.push(file)
    }
  }
  if (entries.length === 0 && loose.length === 0) loose.push(...Array.from(dataTransfer.files))
  if (entries.length === 0 && loose.length === 0) return null
  return async () => {
    const files: DroppedFile[] = loose.map((file) => ({ path: file.name, file }))
    for (const entry of entries) await walk(entry, files)
    const tops = [...entries.map((e) => e.name), ...loose.map((f) => f.name)]
    return { name: tops.length === 1 ? tops[0]! : 'images', files }
  }
}

/** The files of an `<input type=file>` (a picked folder keeps its structure). */
export function fromInput(list: FileList): Dropped {
  const files = Array.from(list, (file) => ({
    path: file.webkitRelativePath || file.name,
    file,
  }))
  const first = files[0]?.path.split('/')
  const name = first && first.length > 1 ? first[0]! : (files[0]?.path ?? 'data')
  return { name: files.length > 1 && !(first && first.length > 1) ? 'files' : name, files }
}
