import { BatchNormBase, type BatchNormOptions } from './BatchNormBase'

/** Options of {@link BatchNorm2d}; the defaults are PyTorch's. */
export type BatchNorm2dOptions = BatchNormOptions

/**
 * Batch normalisation of each channel of `[N, C, H, W]` images, like `torch.nn.BatchNorm2d`:
 * statistics over the batch and every pixel (`N·H·W` values per channel). In training mode it
 * normalises with the batch's statistics and updates the running ones with the unbiased variance
 * and `num_batches_tracked`; in eval mode it uses the running statistics. The buffers are saved
 * under PyTorch's keys (`running_mean`, `running_var`, `num_batches_tracked`, an int64 in
 * safetensors), so state dicts move both ways.
 *
 * @example new BatchNorm2d(32).call(tf.zeros([64, 32, 13, 13])).shape // [64, 32, 13, 13]
 */
export class BatchNorm2d extends BatchNormBase<'BatchNorm2d'> {
  static readonly displayName = 'BatchNorm2d'

  constructor(numFeatures: number, options: BatchNorm2dOptions = {}) {
    super('BatchNorm2d', numFeatures, options)
  }

  get layerType(): 'BatchNorm2d' {
    return 'BatchNorm2d'
  }
}
