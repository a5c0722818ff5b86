import type { GraphDocument } from '@tensorloom/graph'
import type {
  FromWorker,
  MessageEndpoint,
  PackageRequest,
  ToWorker,
  TrainOptions,
} from './protocol'
import { isFromWorker, transferables } from './protocol'

type Reply<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>
type RequestReply = Reply<'prediction'> | Reply<'samples'> | Reply<'weights'> | Reply<'package'>

/** The page's handle on the trainer worker. Requests resolve with the worker's reply. */
export interface TrainerPort {
  train(graph: GraphDocument, options: TrainOptions): void
  pause(): void
  resume(): void
  stop(): void
  predict(pixels: Float32Array): Promise<Reply<'prediction'>>
  samples(graph: GraphDocument, train: boolean, count: number): Promise<Reply<'samples'>>
  exportWeights(): Promise<Reply<'weights'>>
  exportPackage(request: PackageRequest): Promise<Reply<'package'>>
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
      if (message.type === 'requestFailed') request?.reject(new Error(message.message))
      else request?.resolve(message)
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
    samples: (graph, train, count) =>
      request((requestId) => ({ type: 'samples', requestId, graph, train, count })),
    exportWeights: () => request((requestId) => ({ type: 'exportWeights', requestId })),
    exportPackage: (packageRequest) =>
      request((requestId) => ({ type: 'exportPackage', requestId, request: packageRequest })),
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
