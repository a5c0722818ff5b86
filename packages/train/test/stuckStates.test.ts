// Every combination of pause, resume, abort, trainer.dispose(), model.dispose() and a subscriber
// that throws, at the start of a run, mid-epoch and during evaluation, on both engines: fit()
// settles within a bound, in a defined status, and leaves nothing behind.
import * as tf from '@tensorflow/tfjs-core'
import { DataLoader } from '@tensorloom/data'
import { manualSeed } from '@tensorloom/layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { record, Tally } from '../../../scripts/reliability/meta.js'
import { Adam } from '../src/Adam'
import { TrainError } from '../src/errors'
import { PAUSE_POLL_MS } from '../src/limits'
import { Trainer, type TrainerState } from '../src/Trainer'
import { useWasm } from './helpers'
import { loadMnist, type MnistDataset, SimpleNN } from './mnist'

// How long a run may take to settle after the action: a guard against a hang, not a speed target.
const SETTLE_MS = 10_000

let train: MnistDataset
let test: MnistDataset

beforeAll(async () => {
  await useWasm()
  train = await loadMnist(true, 640) // 10 batches of 64
  test = await loadMnist(false, 200)
})

afterAll(() => {
  train.dispose()
  test.dispose()
})

type Engine = 'reference' | 'fast'
type Moment = 'at the start' | 'mid-epoch' | 'while evaluating'
type Action =
  | 'abort'
  | 'trainer.dispose()'
  | 'model.dispose()'
  | 'a subscriber throws'
  | 'pause, then abort'
  | 'pause, then trainer.dispose()'
  | 'pause, then model.dispose()'
  | 'pause, then resume'

/** What each action must end in: how fit() settles and the status it leaves. */
const expected: Record<Action, { settles: string; status: TrainerState['status'] }> = {
  abort: { settles: 'aborted', status: 'aborted' },
  'trainer.dispose()': { settles: 'aborted', status: 'aborted' },
  'model.dispose()': { settles: 'MODEL_DISPOSED', status: 'failed' },
  'a subscriber throws': { settles: 'LISTENER_ERROR', status: 'failed' },
  'pause, then abort': { settles: 'aborted', status: 'aborted' },
  'pause, then trainer.dispose()': { settles: 'aborted', status: 'aborted' },
  'pause, then model.dispose()': { settles: 'MODEL_DISPOSED', status: 'failed' },
  'pause, then resume': { settles: 'completed', status: 'completed' },
}

const at: Record<Moment, (s: TrainerState) => boolean> = {
  'at the start': () => true,
  'mid-epoch': (s) => s.status === 'training' && s.globalStep >= 4,
  'while evaluating': (s) => s.status === 'evaluating',
}

function setup(engine: Engine) {
  manualSeed(1)
  const model = new SimpleNN()
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  const controller = new AbortController()
  const trainer = new Trainer({
    model,
    optimizer,
    trainLoader: new DataLoader(train, { batchSize: 64, shuffle: true, seed: 3 }),
    testLoader: new DataLoader(test, { batchSize: 100 }),
    epochs: 2,
    syncEvery: 2,
    engine,
  })
  return { model, optimizer, controller, trainer }
}

const waitFor = async (predicate: () => boolean, ms: number) => {
  const start = performance.now()
  while (!predicate()) {
    if (performance.now() - start > ms) return false
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return true
}

/** Runs one case; returns how fit() settled ('aborted', 'completed' or an error code). */
async function runCase(engine: Engine, action: Action, moment: Moment): Promise<string> {
  const before = tf.memory().numTensors
  const { model, optimizer, controller, trainer } = setup(engine)
  let fired = false
  let throwing = false
  const paused = action.startsWith('pause')
  const act = (which: string) => {
    if (which === 'abort') controller.abort()
    else if (which === 'trainer.dispose()') trainer.dispose()
    else if (which === 'model.dispose()') model.dispose()
    else if (which === 'a subscriber throws') throwing = true
    else if (which === 'resume') trainer.resume()
  }
  const unsubscribe = trainer.subscribe((state) => {
    if (throwing) throw new Error('the UI broke')
    if (fired || !at[moment](state)) return
    fired = true
    if (paused) trainer.pause()
    else act(action)
    if (throwing) throw new Error('the UI broke')
  })
  const start = performance.now()
  const settled = trainer.fit({ signal: controller.signal }).then(
    (result) => result.status as string,
    (error: unknown) => (error instanceof TrainError ? error.code : `raw: ${String(error)}`),
  )
  // 'At the start' acts before the first step (fit() has only published 'training').
  if (paused) {
    expect(await waitFor(() => fired, SETTLE_MS), 'the moment came').toBe(true)
    expect(await waitFor(() => trainer.getState().status === 'paused', SETTLE_MS), 'paused').toBe(
      true,
    )
    // Give a paused run time to misbehave: it must stay paused until told otherwise.
    await new Promise((resolve) => setTimeout(resolve, 2 * PAUSE_POLL_MS))
    expect(trainer.getState().status).toBe('paused')
    act(action.replace('pause, then ', ''))
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const outcome = await Promise.race([
    settled,
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('still pending'), SETTLE_MS)
    }),
  ])
  clearTimeout(timer)
  const elapsed = performance.now() - start
  const { status } = trainer.getState()
  unsubscribe()
  const name = `${engine}: ${action} ${moment}`
  expect(outcome, name).toBe(expected[action].settles)
  expect(status, name).toBe(expected[action].status)
  expect(elapsed, name).toBeLessThan(SETTLE_MS)
  if (action === 'a subscriber throws') {
    // The trainer is not stuck: without the broken subscriber, fit() goes on to the end.
    expect((await trainer.fit()).status, name).toBe('completed')
  }
  if (expected[action].settles !== 'aborted' || !action.includes('trainer.dispose')) {
    trainer.dispose()
  }
  await expect(trainer.fit()).rejects.toMatchObject({ code: 'TRAINER_DISPOSED' })
  optimizer.dispose()
  model.dispose()
  expect(tf.memory().numTensors, `${name}: no tensor left behind`).toBe(before)
  return outcome
}

const engines: Engine[] = ['reference', 'fast']
const actions = Object.keys(expected) as Action[]
const moments = Object.keys(at) as Moment[]

describe('reliability: faults during training', () => {
  for (const engine of engines) {
    for (const action of actions) {
      it(`${engine} engine: ${action}, at the start, mid-epoch and while evaluating`, async ({
        task,
      }) => {
        const outcomes = new Tally()
        for (const moment of moments) outcomes.add(await runCase(engine, action, moment))
        record(
          task,
          moments.length,
          `settled within ${SETTLE_MS / 1000} s in status ${expected[action].status}, no tensor left: ${outcomes}`,
        )
      })
    }
  }

  it('new Trainer() without options, or with null, is a typed INVALID_OPTION', ({ task }) => {
    const values: unknown[] = [undefined, null, 42, 'model']
    for (const value of values) {
      expect(() => new Trainer(value as never)).toThrow(TrainError)
      try {
        new Trainer(value as never)
      } catch (error) {
        expect((error as TrainError).code).toBe('INVALID_OPTION')
        expect((error as TrainError).message).toMatch(/^Trainer: options must be an object/)
      }
    }
    record(task, values.length, `INVALID_OPTION ×${values.length}`)
  })

  it('a training loader with no batches (a split of 0 images) is refused before training', async ({
    task,
  }) => {
    const empty = await loadMnist(true, 0)
    manualSeed(1)
    const model = new SimpleNN()
    const optimizer = new Adam(model.parameters())
    const before = model.parameters().map((p) => Array.from(p.dataSync()))
    const trainer = new Trainer({
      model,
      optimizer,
      trainLoader: new DataLoader(empty, { batchSize: 64 }),
    })
    await expect(trainer.fit()).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/^Trainer\.fit: the training loader has no batches/),
    })
    expect(trainer.getState().status).toBe('idle')
    expect(model.parameters().map((p) => Array.from(p.dataSync()))).toEqual(before)
    trainer.dispose()
    optimizer.dispose()
    model.dispose()
    record(task, 1, 'INVALID_OPTION before any step; the trainer stays idle')
  })
})
