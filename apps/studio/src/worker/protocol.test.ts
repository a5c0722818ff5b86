import { templates } from '@tensorloom/graph'
import { afterEach, describe, expect, it } from 'vitest'
import type { Engine, TrainControl } from './host'
import { createTrainerHost } from './host'
import type { FromWorker, MessageEndpoint, TrainResults } from './protocol'
import { isFromWorker, isToWorker, transferables } from './protocol'
import { createTrainerClient } from './trainerClient'

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

function results(): TrainResults {
  return {
    testAccuracy: 0.9,
    testLoss: 0.3,
    confusion: Array.from({ length: 10 }, (_, i) =>
      Array.from({ length: 10 }, (_, j) => (i === j ? 9 : 0)),
    ),
    errors: [{ index: 3, label: 1, predicted: 7, confidence: 0.6 }],
    errorImages: new Uint8Array(784).fill(7),
    gallery: [],
    galleryImages: new Uint8Array(0),
    firstLayer: null,
  }
}

/** A stand-in for the tfjs engine: counts steps, honours Pause and Stop. */
function fakeEngine(steps: number, log: string[] = []): Engine {
  return {
    async train(_graph, options, emit, control: TrainControl) {
      emit({ type: 'backend', backend: 'cpu', fallbacks: [{ backend: 'webgl', reason: 'no GPU' }] })
      const total = options.maxSteps ?? steps
      emit({
        type: 'started',
        epochs: 1,
        stepsPerEpoch: steps,
        totalSteps: total,
        batchSize: 64,
        trainSize: 640,
        testSize: 100,
      })
      let step = 0
      for (; step < total; step++) {
        await control.waitWhilePaused()
        if (control.stopped) break
        log.push(`step ${step + 1}`)
        emit({
          type: 'progress',
          epoch: 1,
          step: step + 1,
          globalStep: step + 1,
          totalSteps: total,
          curve: [[step + 1, 2 - step / total]],
          loss: 2 - step / total,
          samplesPerSec: 100,
          etaSeconds: 1,
        })
        await tick()
      }
      emit({
        type: 'finished',
        reason: control.stopped ? 'stopped' : 'maxSteps',
        results: results(),
      })
    },
    async predict(pixels) {
      if (pixels.length !== 784) throw new Error(`Expected 784 pixels, got ${pixels.length}.`)
      return {
        probabilities: Array.from({ length: 10 }, (_, i) => (i === 3 ? 1 : 0)),
        input: pixels,
      }
    },
    async samples(_graph, _train, count) {
      const stats = { min: 0, max: 1, mean: 0.5, std: 0.1 }
      return {
        images: new Uint8Array(count * 784),
        labels: Array.from({ length: count }, (_, i) => i % 10),
        stats: { raw: stats, toTensor: stats, normalized: null },
      }
    },
    async exportWeights() {
      throw new Error('Train the model first: there are no weights to export.')
    },
    async exportPackage(request) {
      return { bytes: new TextEncoder().encode(request.name), fileName: `${request.name}.tgz` }
    },
  }
}

/** A client and a host joined by a real MessageChannel, as page and worker are. */
function connect(engine: Engine) {
  const channel = new MessageChannel()
  const host = createTrainerHost(channel.port2 as unknown as MessageEndpoint, async () => engine)
  channel.port2.start()
  const client = createTrainerClient(() => {
    channel.port1.start()
    return channel.port1 as unknown as MessageEndpoint
  })
  const received: FromWorker[] = []
  client.subscribe((m) => received.push(m))
  const waitFor = async (type: FromWorker['type']) => {
    for (let i = 0; i < 500; i++) {
      const found = received.find((m) => m.type === type)
      if (found) return found
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    throw new Error(`no ${type} message; got ${received.map((m) => m.type).join(', ')}`)
  }
  return {
    client,
    host,
    received,
    waitFor,
    close: () => {
      client.dispose()
      host.dispose()
      channel.port1.close()
      channel.port2.close()
    },
  }
}

let cleanup: (() => void) | null = null
afterEach(() => {
  cleanup?.()
  cleanup = null
})

describe('message guards', () => {
  it('accepts the messages of each direction and refuses others', () => {
    expect(isToWorker({ type: 'train', graph: templates.lesson, options: { maxSteps: 1 } })).toBe(
      true,
    )
    expect(isToWorker({ type: 'progress' })).toBe(false)
    expect(isFromWorker({ type: 'progress' })).toBe(true)
    expect(isFromWorker({ type: 'train' })).toBe(false)
    expect(isFromWorker(null)).toBe(false)
    expect(isFromWorker('finished')).toBe(false)
  })

  it('transfers the buffers of results instead of copying them', () => {
    const r = results()
    const list = transferables({ type: 'finished', reason: 'completed', results: r })
    expect(list).toContain(r.errorImages.buffer)
    expect(list).toContain(r.galleryImages.buffer)
    expect(transferables({ type: 'pause' })).toEqual([])
  })
})

describe('client and host over a MessageChannel', () => {
  it('streams a run in order: backend, started, progress, finished', async () => {
    const c = connect(fakeEngine(5))
    cleanup = c.close
    c.client.train(templates.lesson, { maxSteps: 3 })
    const finished = await c.waitFor('finished')
    expect(c.received.map((m) => m.type)).toEqual([
      'backend',
      'started',
      'progress',
      'progress',
      'progress',
      'finished',
    ])
    expect(finished).toMatchObject({ reason: 'maxSteps', results: { testAccuracy: 0.9 } })
    const r = (finished as Extract<FromWorker, { type: 'finished' }>).results!
    expect(r.errorImages).toBeInstanceOf(Uint8Array)
    expect(r.errorImages[0]).toBe(7)
  })

  it('pauses between batches, resumes, and stops', async () => {
    const log: string[] = []
    const c = connect(fakeEngine(10_000, log))
    cleanup = c.close
    c.client.train(templates.lesson, { maxSteps: null })
    await c.waitFor('progress')
    c.client.pause()
    await c.waitFor('paused')
    await new Promise((resolve) => setTimeout(resolve, 20))
    const whilePaused = log.length
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(log.length).toBe(whilePaused)
    c.client.resume()
    await c.waitFor('resumed')
    c.client.stop()
    const finished = await c.waitFor('finished')
    expect(finished).toMatchObject({ reason: 'stopped' })
    expect(log.length).toBeGreaterThanOrEqual(whilePaused)
    expect(log.length).toBeLessThan(10_000)
  })

  it('refuses a second run while one is in progress', async () => {
    const c = connect(fakeEngine(10_000))
    cleanup = c.close
    c.client.train(templates.lesson, { maxSteps: null })
    await c.waitFor('progress')
    c.client.train(templates.lesson, { maxSteps: null })
    const failed = await c.waitFor('failed')
    expect(failed).toMatchObject({ message: expect.stringContaining('already in progress') })
    c.client.stop()
    await c.waitFor('finished')
  })

  it('answers requests by id and rejects failed ones with the reason', async () => {
    const c = connect(fakeEngine(1))
    cleanup = c.close
    const [prediction, samples] = await Promise.all([
      c.client.predict(new Float32Array(784)),
      c.client.samples(templates.lesson, true, 4),
    ])
    expect(prediction.probabilities.indexOf(1)).toBe(3)
    expect(samples.labels).toEqual([0, 1, 2, 3])
    expect(samples.images.length).toBe(4 * 784)
    await expect(c.client.predict(new Float32Array(10))).rejects.toThrow(
      'Expected 784 pixels, got 10.',
    )
    await expect(c.client.exportWeights()).rejects.toThrow('Train the model first')
    const pkg = await c.client.exportPackage({
      name: 'digits',
      version: '1.0.0',
      license: 'MIT',
      description: '',
      training: {},
    })
    expect(pkg.fileName).toBe('digits.tgz')
    expect(new TextDecoder().decode(pkg.bytes)).toBe('digits')
  })

  it('reports an engine failure as a failed message with its code', async () => {
    const engine = fakeEngine(1)
    engine.train = async () => {
      throw Object.assign(
        new Error('mat1 and mat2 shapes cannot be multiplied (64x784 and 700x128)'),
        { code: 'LINEAR_SHAPE_MISMATCH' },
      )
    }
    const c = connect(engine)
    cleanup = c.close
    c.client.train(templates.lesson, { maxSteps: 1 })
    expect(await c.waitFor('failed')).toEqual({
      type: 'failed',
      message: 'mat1 and mat2 shapes cannot be multiplied (64x784 and 700x128)',
      code: 'LINEAR_SHAPE_MISMATCH',
    })
  })
})

describe('recovery messages', () => {
  it('forwards a recovery and shows the engine whether the run is paused', async () => {
    const pausedSeen: boolean[] = []
    const engine = fakeEngine(1)
    engine.train = async (_graph, _options, emit, control) => {
      emit({ type: 'backend', backend: 'webgl', fallbacks: [] })
      pausedSeen.push(control.isPaused)
      for (let i = 0; i < 500 && !control.isPaused; i++) {
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
      pausedSeen.push(control.isPaused)
      emit({
        type: 'recovered',
        from: 'webgl',
        to: 'wasm',
        cause: 'the browser reported webglcontextlost',
        lostAt: { epoch: 1, step: 120, globalStep: 120 },
        resumedFrom: { epoch: 1, step: 100, globalStep: 100 },
        epochsDone: 0,
      })
      await control.waitWhilePaused()
      emit({ type: 'finished', reason: control.stopped ? 'stopped' : 'completed', results: null })
    }
    const c = connect(engine)
    cleanup = c.close
    c.client.train(templates.lesson, { maxSteps: null })
    await c.waitFor('backend')
    c.client.pause()
    const recovered = await c.waitFor('recovered')
    expect(recovered).toMatchObject({ to: 'wasm', resumedFrom: { globalStep: 100 } })
    expect(pausedSeen).toEqual([false, true])
    c.client.resume()
    expect(await c.waitFor('finished')).toMatchObject({ reason: 'completed' })
    expect(isFromWorker({ type: 'recovered' })).toBe(true)
  })
})
