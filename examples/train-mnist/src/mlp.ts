import * as tf from '@tensorflow/tfjs-core'
import { createGenerator } from '@tensorloom/data'

/** The lesson's network: Flatten -> Linear(784, 128) -> ReLU -> Linear(128, 10), in plain tfjs. */
export interface Mlp {
  /** Trainable weights: w1 [784, 128], b1 [128], w2 [128, 10], b2 [10]. */
  readonly variables: tf.Variable[]
  /** Logits [B, 10] for images [B, 1, 28, 28]. */
  forward(images: tf.Tensor): tf.Tensor2D
  /** Frees the weights. */
  dispose(): void
}

/**
 * A `Linear(inFeatures, outFeatures)` weight and bias with PyTorch's default initialisation: both
 * uniform in [-1/sqrt(inFeatures), 1/sqrt(inFeatures)) (kaiming_uniform with a = sqrt(5)).
 */
function linear(inFeatures: number, outFeatures: number, random: () => number, name: string) {
  const bound = 1 / Math.sqrt(inFeatures)
  const uniform = (n: number) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * bound)
  return [
    tf.variable(
      tf.tensor2d(uniform(inFeatures * outFeatures), [inFeatures, outFeatures]),
      true,
      `${name}.weight`,
    ),
    tf.variable(tf.tensor1d(uniform(outFeatures)), true, `${name}.bias`),
  ]
}

/** Creates the MLP with weights drawn from `seed`. Parameters: 784*128 + 128 + 128*10 + 10 = 101,770. */
export function createMlp(seed: number): Mlp {
  const generator = createGenerator(seed)
  const random = () => generator.random()
  const variables = tf.tidy(() => [
    ...linear(784, 128, random, 'fc1'),
    ...linear(128, 10, random, 'fc2'),
  ])
  const [w1, b1, w2, b2] = variables as [tf.Variable, tf.Variable, tf.Variable, tf.Variable]
  return {
    variables,
    forward: (images) =>
      tf.tidy(() => {
        const flat = tf.reshape(images, [images.shape[0]!, 784])
        const hidden = tf.relu(tf.add(tf.matMul(flat, w1), b1))
        return tf.add(tf.matMul(hidden, w2), b2) as tf.Tensor2D
      }),
    dispose: () => tf.dispose(variables),
  }
}
