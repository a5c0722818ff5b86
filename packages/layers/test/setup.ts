import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll } from 'vitest'

beforeAll(async () => {
  // Silences the 'install tfjs-node' banner and turns on tfjs's kernel leak checks.
  tf.env().set('IS_TEST', true)
  await tf.setBackend('cpu')
  await tf.ready()
})
