import type { GraphDocument } from '@tensorloom/graph'
import type { StoredMeta } from '../data/summary'
import type {
  FromWorker,
  MessageEndpoint,
  PackageRequest,
  ToWorker,
  TrainOptions,
} from './protocol'
import { isToWorker, transferables } from './protocol'
import { workerError } from './workerErrors'

/** What the page asked of a running training loop. */
export type ControlChange = 'pause' | 'resume' | 'stop'

/** Lets a training loop see Pause and Stop: by polling between batches, or by listening. */
export interface TrainControl {
  readonly stopped: boolean
  /** True between a pause and the next resume (or stop). */
  readonly isPaused: boolean
  /** Resolves at once unless paused; then when resumed or stopped. */
  waitWhilePaused(): Promise<void>
  /** Calls `listener` on every pause, resume and stop; returns the unsubscribe function. */
  onChange(listener: (change: ControlChange) => void): () => void
}

/** The work behind the protocol: tfjs in the real worker, a fake in tests. */
export interface Engine {
  train(
    graph: GraphDocument,
    options: TrainOptions,
    emit: (message: FromWorker) => void,
    control: TrainControl,
  ): Promise<void>
  predict(pixels: Float32Array): Promise<{ probabilities: number[]; input: Float32Array }>
  samples(
    graph: GraphDocument,
    train: boolean,
    count: number,
    emit: (message: FromWorker) => void,
    nodeId?: string,
  ): Promise<Omit<Extract<FromWorker, { type: 'samples' }>, 'type' | 'requestId'>>
  exportWeights(): Promise<{ bytes: Uint8Array<ArrayBuffer>; fileName: string }>
  /** The trained network as an npm package (.tgz). */
  exportPackage(
    request: PackageRequest,
  ): Promise<{ bytes: Uint8Array<ArrayBuffer>; fileName: string }>
}

/** The worker's work on dropped-in data: import, read again, delete (see importData.ts). */
export interface DataHandlers {
  importData(
    message: Extract<ToWorker, { type: 'importData' }>,
    emit: (message: FromWorker) => void,
  ): Promise<StoredMeta>
  rescanData(message: Extract<ToWorker, { type: 'rescanData' }>): Promise<StoredMeta>
  deleteData(id: string): Promise<void>
}

class Control implements TrainControl {
  stopped = false
  private paused: { promise: Promise<void>; resume: () => void } | null = null
  private listeners = new Set<(change: ControlChange) => void>()

  onChange(listener: (change: ControlChange) => void) {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  private tell(change: ControlChange) {
    for (const listener of this.listeners) listener(change)
  }

  get isPaused() {
    return this.paused !== null
  }

  pause() {
    if (this.paused || this.stopped) return
    let resume = () => {}
    const promise = new Promise<void>((resolve) => {
      resume = resolve
    })
    this.paused = { promise, resume }
    this.tell('pause')
  }

  resume() {
    if (!this.paused) return
    this.paused.resume()
    this.paused = null
    this.tell('resume')
  }

  stop() {
    if (this.stopped) return
    this.stopped = true
    this.paused?.resume()
    this.paused = null
    this.tell('stop')
  }

  waitWhilePaused() {
    return this.paused?.promise ?? Promise.resolve()
  }
}

function errorMessage(error: unknown): { message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === 'string' ? { message: error.message, code } : { message: error.message }
  }
  return { message: String(error) }
}

/**
 * Runs the worker side of the protocol on `endpoint`: one training run at a time, Pause, Resume
 * and Stop between batches, and request/reply messages for predictions, samples and weights.
 * `loadEngine` is called once, on the first message that needs it.
 */
export function createTrainerHost(
  endpoint: MessageEndpoint,
  loadEngine: () => Promise<Engine>,
  loadData?: () => Promise<DataHandlers>,
) {
  let engine: Promise<Engine> | null = null
  let data: Promise<DataHandlers> | null = null
  const getData = () => {
    if (!loadData) return Promise.reject(new Error('This worker does not handle data.'))
    data ??= loadData()
    return data
  }
  let control: Control | null = null
  let running: Promise<void> | null = null
  const getEngine = () => {
    engine ??= loadEngine()
    return engine
  }
  const emit = (message: FromWorker) => endpoint.postMessage(message, transferables(message))

  const train = async (graph: GraphDocument, options: TrainOptions) => {
    if (running) {
      const busy = workerError('RUN_IN_PROGRESS', {})
      emit({ type: 'failed', message: busy.message, code: busy.code })
      return
    }
    const current = new Control()
    control = current
    running = (async () => {
      try {
        await (await getEngine()).train(graph, options, emit, current)
      } catch (error) {
        emit({ type: 'failed', ...errorMessage(error) })
      } finally {
        running = null
        control = null
      }
    })()
    await running
  }

  const reply = async (requestId: number, work: (engine: Engine) => Promise<FromWorker>) => {
    try {
      emit(await work(await getEngine()))
    } catch (error) {
      emit({ type: 'requestFailed', requestId, ...errorMessage(error) })
    }
  }
  const replyData = async (requestId: number, work: (d: DataHandlers) => Promise<FromWorker>) => {
    try {
      emit(await work(await getData()))
    } catch (error) {
      emit({ type: 'requestFailed', requestId, ...errorMessage(error) })
    }
  }

  const handle = (message: ToWorker): Promise<void> | undefined => {
    switch (message.type) {
      case 'train':
        return train(message.graph, message.options)
      case 'pause':
        if (control && !control.isPaused) {
          control.pause()
          emit({ type: 'paused' })
        }
        return
      case 'resume':
        if (control?.isPaused) {
          control.resume()
          emit({ type: 'resumed' })
        }
        return
      case 'stop':
        control?.stop()
        return
      case 'predict':
        return reply(message.requestId, async (e) => ({
          type: 'prediction',
          requestId: message.requestId,
          ...(await e.predict(message.pixels)),
        }))
      case 'samples':
        return reply(message.requestId, async (e) => ({
          type: 'samples',
          requestId: message.requestId,
          ...(await e.samples(message.graph, message.train, message.count, emit, message.nodeId)),
        }))
      case 'exportWeights':
        return reply(message.requestId, async (e) => ({
          type: 'weights',
          requestId: message.requestId,
          ...(await e.exportWeights()),
        }))
      case 'exportPackage':
        return reply(message.requestId, async (e) => ({
          type: 'package',
          requestId: message.requestId,
          ...(await e.exportPackage(message.request)),
        }))
      case 'importData':
        return replyData(message.requestId, async (d) => ({
          type: 'dataImported',
          requestId: message.requestId,
          meta: await d.importData(message, emit),
        }))
      case 'rescanData':
        return replyData(message.requestId, async (d) => ({
          type: 'dataImported',
          requestId: message.requestId,
          meta: await d.rescanData(message),
        }))
      case 'deleteData':
        return replyData(message.requestId, async (d) => {
          await d.deleteData(message.id)
          return { type: 'dataDeleted', requestId: message.requestId, id: message.id }
        })
    }
  }

  const onMessage = (event: MessageEvent) => {
    if (isToWorker(event.data)) void handle(event.data)
  }
  endpoint.addEventListener('message', onMessage)
  return {
    /** Handles one message directly (tests) and resolves when its work is done. */
    handle: (message: ToWorker) => handle(message) ?? Promise.resolve(),
    dispose: () => endpoint.removeEventListener('message', onMessage),
  }
}
