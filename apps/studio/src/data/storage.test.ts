import { afterEach, describe, expect, it, vi } from 'vitest'
import { opfsStorage, StorageFullError } from './storage'
import type { StoredMeta } from './summary'

/** An in-memory Origin Private File System: folders, files, writables that commit on close. */
class MemoryDir {
  readonly kind = 'directory'
  readonly entries_ = new Map<string, MemoryDir | MemoryFile>()
  constructor(readonly name: string) {}
  async getDirectoryHandle(name: string, o?: { create?: boolean }) {
    const found = this.entries_.get(name)
    if (found instanceof MemoryDir) return found
    if (!o?.create) throw new DOMException(name, 'NotFoundError')
    const dir = new MemoryDir(name)
    this.entries_.set(name, dir)
    return dir
  }
  async getFileHandle(name: string, o?: { create?: boolean }) {
    const found = this.entries_.get(name)
    if (found instanceof MemoryFile) return found
    if (!o?.create) throw new DOMException(name, 'NotFoundError')
    const file = new MemoryFile(name)
    this.entries_.set(name, file)
    return file
  }
  async removeEntry(name: string) {
    if (!this.entries_.delete(name)) throw new DOMException(name, 'NotFoundError')
  }
  async *entries() {
    yield* this.entries_.entries()
  }
}

class MemoryFile {
  readonly kind = 'file'
  data: Blob = new Blob([])
  /** Fails the next write with this error (a full disk). */
  static failNext: DOMException | null = null
  constructor(readonly name: string) {}
  async getFile() {
    return new File([this.data], this.name)
  }
  async createWritable() {
    const parts: BlobPart[] = []
    return {
      write: async (data: BlobPart) => {
        if (MemoryFile.failNext) {
          const e = MemoryFile.failNext
          MemoryFile.failNext = null
          throw e
        }
        parts.push(data)
      },
      close: async () => {
        this.data = new Blob(parts)
      },
      abort: async () => {},
    }
  }
}

const meta = (id: string, name = 'pets'): StoredMeta => ({
  id,
  name,
  payload: 'data.csv',
  bytes: 5,
  files: 1,
  createdAt: new Date(Date.UTC(2026, 0, Number(id.slice(-1)))).toISOString(),
  summary: { kind: 'cifar', trainCount: 1, testCount: 1 },
})

function storageOf(root = new MemoryDir('')) {
  return { root, storage: opfsStorage(root as unknown as FileSystemDirectoryHandle) }
}

afterEach(() => {
  vi.unstubAllGlobals()
  MemoryFile.failNext = null
})

describe('the OPFS data storage', () => {
  it('keeps datasets by id, lists them oldest first, reads and deletes them', async () => {
    const { storage } = storageOf()
    await storage.put(meta('local:b-2'), new Blob(['b,c\n']))
    await storage.put(meta('local:a-1'), new Blob(['a,b\n']))
    expect((await storage.list()).map((m) => m.id)).toEqual(['local:a-1', 'local:b-2'])
    expect(await (await storage.read('local:b-2')).text()).toBe('b,c\n')
    await storage.remove('local:a-1')
    expect(await storage.get('local:a-1')).toBeNull()
    await storage.remove('local:a-1') // gone already: no error
    expect((await storage.list()).map((m) => m.id)).toEqual(['local:b-2'])
  })

  it('does not list an unfinished write (a folder without meta.json)', async () => {
    const { root, storage } = storageOf()
    const base = await root.getDirectoryHandle('tensorloom-data', { create: true })
    await (await base.getDirectoryHandle('local%3Ahalf-1', { create: true })).getFileHandle(
      'data.zip',
      { create: true },
    )
    expect(await storage.list()).toEqual([])
  })

  it('refuses what the quota cannot hold, saying how full it is, and keeps the rest', async () => {
    const { storage } = storageOf()
    await storage.put(meta('local:a-1'), new Blob(['a']))
    vi.stubGlobal('navigator', {
      storage: { estimate: async () => ({ usage: 9_000_000, quota: 10_000_000 }) },
    })
    const big = new Blob([new Uint8Array(2_000_000)])
    const error = await storage.put(meta('local:big-2', 'photos'), big).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StorageFullError)
    expect((error as Error).message).toContain('Not enough room to keep “photos” (2.0 MB)')
    expect((error as Error).message).toContain('9.0 MB of the 10 MB it may use are taken')
    expect((await storage.list()).map((m) => m.id)).toEqual(['local:a-1'])
  })

  it('turns a QuotaExceededError while writing into the same message, leaving nothing half-written', async () => {
    const { storage } = storageOf()
    MemoryFile.failNext = new DOMException('full', 'QuotaExceededError')
    const error = await storage.put(meta('local:c-3'), new Blob(['c'])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StorageFullError)
    expect(await storage.get('local:c-3')).toBeNull()
    expect(await storage.list()).toEqual([])
  })
})
