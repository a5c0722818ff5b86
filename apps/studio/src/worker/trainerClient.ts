import type { GraphDocument } from '@tensorloom/graph'
import type {
  CsvChoice,
  FetchedDataset,
  FromWorker,
  MessageEndpoint,
  PackageRequest,
  ToWorker,
  TrainOptions,
} from './protocol'
import { isFromWorker, transferables } from './protocol'

type Reply<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>
type RequestReply =
  | Reply<'prediction'>
  | Reply<'samples'>
  | Reply<'weights'>
  | Reply<'package'>
  | Reply<'dataImported'>
  | Reply<'dataDeleted'>

/** What to import: the dropped files, and where they go. */
export interface ImportRequest {
  name: string
  files: { path: string; file: Blob }[]
  into: FetchedDataset | null
  csv: CsvChoice | null
  id: string | null
}

/** A failed request: the worker's message, and its code when it has one (`STORAGE_FULL`). */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message)
    this.name = 'RequestError'
  }
}

/** The page's handle on the trainer worker. Requests resolve with the worker's reply. */
export interface TrainerPort {
  train(graph: GraphDocument, options: TrainOptions): void
  pause(): void
  resume(): void
  stop(): void
  predict(pixels: Float32Array): Promise<Reply<'prediction'>>
  samples(
    graph: GraphDocument,
    train: boolean,
    count: number,
    nodeId?: string,
  ): Promise<Reply<'samples'>>
  exportWeights(): Promise<Reply<'weights'>>
  exportPackage(request: PackageRequest): Promise<Reply<'package'>>
  /**
   * Reads, checks and keeps dropped-in data in the browser's storage. `onProgress` hears how it
   * goes. (Optional: test doubles may leave the data methods out.)
   */
  importData?(
    request: ImportRequest,
    onProgress?: (progress: Reply<'importProgress'>) => void,
  ): Promise<Reply<'dataImported'>>
  /** Reads a kept CSV file again another way. */
  rescanData?(id: string, csv: CsvChoice): Promise<Reply<'dataImported'>>
  /** Deletes a kept dataset (storage and the worker's copy). */
  deleteData?(id: string): Promise<Reply<'dataDeleted'>>
  /** Every message from the worker, in order. Returns an unsubscribe function. */
  subscribe(listener: (message: FromWorker) => void): () => void
  dispose(): void
}

/**
 * Speaks the typed protocol over any message endpoint. The endpoint is created on first use, so
 * the worker (and tfjs) load only when training or a preview is asked for.
 */
export function createTrainerClient(
  createEndpoint: () => MessageEndpoint & { terminate?: () => void },
): TrainerPort {
  let endpoint: (MessageEndpoint & { terminate?: () => void }) | null = null
  let nextRequestId = 1
  const listeners = new Set<(message: FromWorker) => void>()
  const pending = new Map<
    number,
    { resolve: (reply: RequestReply) => void; reject: (error: Error) => void }
  >()

  const onMessage = (event: MessageEvent) => {
    const message: unknown = event.data
    if (!isFromWorker(message)) return
    if ('requestId' in message) {
      const request = pending.get(message.requestId)
      pending.delete(message.requestId)
      if (message.type === 'requestFailed') {
        request?.reject(new RequestError(message.message, message.code))
      } else request?.resolve(message)
    }
    for (const listener of listeners) listener(message)
  }

  const send = (message: ToWorker) => {
    if (!endpoint) {
      endpoint = createEndpoint()
      endpoint.addEventListener('message', onMessage)
    }
    endpoint.postMessage(message, transferables(message))
  }

  const request = <T extends RequestReply>(make: (requestId: number) => ToWorker): Promise<T> => {
    const requestId = nextRequestId++
    return new Promise<T>((resolve, reject) => {
      pending.set(requestId, { resolve: resolve as (reply: RequestReply) => void, reject })
      send(make(requestId))
    })
  }

  return {
    train: (graph, options) => send({ type: 'train', graph, options }),
    pause: () => send({ type: 'pause' }),
    resume: () => send({ type: 'resume' }),
    stop: () => send({ type: 'stop' }),
    predict: (pixels) => request((requestId) => ({ type: 'predict', requestId, pixels })),
    samples: (graph, train, count, nodeId) =>
      request((requestId) => ({
        type: 'samples',
        requestId,
        graph,
        train,
        count,
        ...(nodeId ? { nodeId } : {}),
      })),
    exportWeights: () => request((requestId) => ({ type: 'exportWeights', requestId })),
    exportPackage: (packageRequest) =>
      request((requestId) => ({ type: 'exportPackage', requestId, request: packageRequest })),
    importData(importRequest, onProgress) {
      let unsubscribe = () => {}
      const reply = request<Reply<'dataImported'>>((requestId) => {
        if (onProgress) {
          const listener = (m: FromWorker) => {
            if (m.type === 'importProgress' && m.importId === requestId) onProgress(m)
          }
          listeners.add(listener)
          unsubscribe = () => listeners.delete(listener)
        }
        return { type: 'importData', requestId, ...importRequest }
      })
      return reply.finally(() => unsubscribe())
    },
    rescanData: (id, csv) => request((requestId) => ({ type: 'rescanData', requestId, id, csv })),
    deleteData: (id) => request((requestId) => ({ type: 'deleteData', requestId, id })),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    dispose() {
      endpoint?.removeEventListener('message', onMessage)
      endpoint?.terminate?.()
      endpoint = null
      for (const request of pending.values()) request.reject(new Error('The trainer was closed.'))
      pending.clear()
    },
  }
}
