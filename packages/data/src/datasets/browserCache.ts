/** The part of the Cache Storage API the browser path uses (tests pass an in-memory one). */
export interface CacheLike {
  match(url: string): Promise<Response | undefined>
  put(url: string, response: Response): Promise<void>
}

/** The part of `globalThis.caches` the browser path uses. */
export interface CacheStorageLike {
  open(name: string): Promise<CacheLike>
}

/**
 * Opens the named cache when Cache Storage exists (browsers in secure contexts, service and web
 * workers); otherwise returns undefined and files are fetched every time.
 */
export async function openCache(
  name: string,
  storage: CacheStorageLike | undefined = (globalThis as { caches?: CacheStorageLike }).caches,
): Promise<CacheLike | undefined> {
  if (!storage) return undefined
  try {
    return await storage.open(name)
  } catch {
    return undefined
  }
}

/** The cached bytes for `url`, if any. */
export async function readCached(cache: CacheLike, url: string): Promise<Uint8Array | undefined> {
  const response = await cache.match(url)
  if (!response) return undefined
  return new Uint8Array(await response.arrayBuffer())
}

/** Stores verified bytes under `url`. */
export async function writeCached(cache: CacheLike, url: string, bytes: Uint8Array): Promise<void> {
  const body = bytes.slice().buffer
  await cache.put(
    url,
    new Response(body, {
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(bytes.length),
      },
    }),
  )
}
