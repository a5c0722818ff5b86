import type { StoredMeta } from './summary'

/**
 * The datasets the user dropped in, kept in this browser (never uploaded): in the Origin Private
 * File System when there is one (a folder per dataset, `tensorloom-data/<id>/` holding the payload
 * and `meta.json`), else in IndexedDB. The page lists and deletes; the worker writes and reads.
 */
export interface DataStorage {
  readonly kind: 'opfs' | 'indexeddb'
  /** Every stored dataset, oldest first. */
  list(): Promise<StoredMeta[]>
  get(id: string): Promise<StoredMeta | null>
  /** The payload of `id`. */
  read(id: string): Promise<Blob>
  /**
   * Stores `payload` under `meta.id` (replacing what was there). Checks the quota first; nothing
   * half-written is kept.
   * @throws {StorageFullError} when the browser's storage for the site cannot hold it.
   */
  put(meta: StoredMeta, payload: Blob): Promise<void>
  remove(id: string): Promise<void>
}

const ROOT = 'tensorloom-data'
const META = 'meta.json'

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`

/** The browser's storage for this site cannot hold a dataset. The message says what to do. */
export class StorageFullError extends Error {
  readonly code = 'STORAGE_FULL'
  constructor(
    readonly name_: string,
    readonly bytes: number,
    readonly usage: number | null,
    readonly quota: number | null,
  ) {
    const used =
      usage !== null && quota !== null
        ? ` (${mb(usage)} of the ${mb(quota)} it may use are taken)`
        : ''
    super(
      `Not enough room to keep “${name_}” (${mb(bytes)}) in this browser's storage for the studio${used}. Delete datasets you no longer need (Block panel of a dataset block, “Delete from this browser”) or free disk space, then drop it again. Nothing else was changed.`,
    )
    this.name = 'StorageFullError'
  }
}

const isQuotaError = (error: unknown) =>
  error instanceof DOMException &&
  (error.name === 'QuotaExceededError' || error.name === 'NS_ERROR_DOM_QUOTA_REACHED')

/** Refuses a write that the quota the browser reports cannot take (with some room to spare). */
async function checkQuota(meta: StoredMeta, bytes: number): Promise<void> {
  const estimate = await navigator.storage?.estimate?.().catch(() => null)
  if (!estimate?.quota) return
  const usage = estimate.usage ?? 0
  if (usage + bytes * 1.02 + 1e5 > estimate.quota) {
    throw new StorageFullError(meta.name, bytes, usage, estimate.quota)
  }
}

async function quotaErrorOf(meta: StoredMeta, bytes: number): Promise<StorageFullError> {
  const estimate = await navigator.storage?.estimate?.().catch(() => null)
  return new StorageFullError(meta.name, bytes, estimate?.usage ?? null, estimate?.quota ?? null)
}

function isMeta(value: unknown): value is StoredMeta {
  const v = value as Partial<StoredMeta> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    typeof v.name === 'string' &&
    typeof v.payload === 'string' &&
    typeof v.summary === 'object' &&
    v.summary !== null
  )
}

const byAge = (a: StoredMeta, b: StoredMeta) => a.createdAt.localeCompare(b.createdAt)

/** Folder names may not hold `/` or `:` everywhere: ids are encoded. */
const folderOf = (id: string) => encodeURIComponent(id)

/** The OPFS implementation. */
export function opfsStorage(root: FileSystemDirectoryHandle): DataStorage {
  const base = () => root.getDirectoryHandle(ROOT, { create: true })
  const folder = async (id: string, create = false) =>
    (await base()).getDirectoryHandle(folderOf(id), { create })
  const readMeta = async (dir: FileSystemDirectoryHandle): Promise<StoredMeta | null> => {
    try {
      const file = await (await dir.getFileHandle(META)).getFile()
      const meta: unknown = JSON.parse(await file.text())
      return isMeta(meta) ? meta : null
    } catch {
      return null
    }
  }
  const write = async (dir: FileSystemDirectoryHandle, name: string, data: Blob | string) => {
    const handle = await dir.getFileHandle(name, { create: true })
    const writable = await handle.createWritable()
    try {
      await writable.write(data)
      await writable.close()
    } catch (error) {
      await writable.abort().catch(() => {})
      throw error
    }
  }
  const storage: DataStorage = {
    kind: 'opfs',
    async list() {
      const out: StoredMeta[] = []
      const dir = await base()
      for await (const [, handle] of (
        dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }
      ).entries()) {
        if (handle.kind !== 'directory') continue
        const meta = await readMeta(handle as FileSystemDirectoryHandle)
        if (meta) out.push(meta)
      }
      return out.sort(byAge)
    },
    async get(id) {
      try {
        return await readMeta(await folder(id))
      } catch {
        return null
      }
    },
    async read(id) {
      const meta = await storage.get(id)
      if (!meta) throw new Error(`No dataset ${id} is kept in this browser.`)
      return (await (await folder(id)).getFileHandle(meta.payload)).getFile()
    },
    async put(meta, payload) {
      await checkQuota(meta, payload.size)
      // The old copy goes first: a replaced dataset must not leave its payload behind.
      await storage.remove(meta.id)
      try {
        const dir = await folder(meta.id, true)
        await write(dir, meta.payload, payload)
        // meta.json last: a folder without it is an unfinished write, and is not listed.
        await write(dir, META, JSON.stringify(meta))
      } catch (error) {
        await storage.remove(meta.id)
        if (isQuotaError(error)) throw await quotaErrorOf(meta, payload.size)
        throw error
      }
    },
    async remove(id) {
      try {
        await (await base()).removeEntry(folderOf(id), { recursive: true })
      } catch (error) {
        if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error
      }
    },
  }
  return storage
}

const DB = 'tensorloom-data'
const STORE = 'datasets'

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

/** The IndexedDB implementation: one record per dataset, `{ id, meta, payload }`. */
export function indexedDbStorage(factory: IDBFactory = indexedDB): DataStorage {
  let db: Promise<IDBDatabase> | null = null
  const open = () => {
    db ??= new Promise((resolve, reject) => {
      const req = factory.open(DB, 1)
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' })
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    return db
  }
  const tx = async (mode: IDBTransactionMode) =>
    (await open()).transaction(STORE, mode).objectStore(STORE)
  type Row = { id: string; meta: StoredMeta; payload: Blob }
  const storage: DataStorage = {
    kind: 'indexeddb',
    async list() {
      const rows = (await request((await tx('readonly')).getAll())) as Row[]
      return rows
        .map((r) => r.meta)
        .filter(isMeta)
        .sort(byAge)
    },
    async get(id) {
      const row = (await request((await tx('readonly')).get(id))) as Row | undefined
      return row && isMeta(row.meta) ? row.meta : null
    },
    async read(id) {
      const row = (await request((await tx('readonly')).get(id))) as Row | undefined
      if (!row) throw new Error(`No dataset ${id} is kept in this browser.`)
      return row.payload
    },
    async put(meta, payload) {
      await checkQuota(meta, payload.size)
      try {
        await request((await tx('readwrite')).put({ id: meta.id, meta, payload } satisfies Row))
      } catch (error) {
        if (isQuotaError(error)) throw await quotaErrorOf(meta, payload.size)
        throw error
      }
    },
    async remove(id) {
      await request((await tx('readwrite')).delete(id))
    },
  }
  return storage
}

let opened: Promise<DataStorage> | null = null

/**
 * The studio's data storage: OPFS where the browser has it (and lets files be written), else
 * IndexedDB. The same in the page and in the worker.
 */
export function openDataStorage(): Promise<DataStorage> {
  opened ??= (async () => {
    try {
      const writable =
        typeof FileSystemFileHandle !== 'undefined' &&
        'createWritable' in FileSystemFileHandle.prototype
      if (writable) return opfsStorage(await navigator.storage.getDirectory())
    } catch {
      // No OPFS here (an old browser, a private window): IndexedDB it is.
    }
    return indexedDbStorage()
  })()
  return opened
}
