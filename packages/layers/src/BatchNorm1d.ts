import { BatchNormBase, type BatchNormOptions } from './BatchNormBase'

/** Options of {@link BatchNorm1d}; the defaults are PyTorch's. */
export type BatchNorm1dOptions = BatchNormOptions

/**
 * Batch normalisation over `[N, C]` or `[N, C, L]` input, like `torch.nn.BatchNorm1d`. In training
 * mode it normalises with the batch's statistics and updates the running ones
 * (`running = (1 - momentum) * running + momentum * batch`, with the unbiased batch variance); in
 * eval mode it uses the running statistics. `running_mean`, `running_var` and
 * `num_batches_tracked` are buffers: in the state dict, not in `parameters()`.
 */
export class BatchNorm1d extends BatchNormBase<'BatchNorm1d'> {
  static readonly displayName = 'BatchNorm1d'

  constructor(numFeatures: number, options: BatchNorm1dOptions = {}) {
    super('BatchNorm1d', numFeatures, options)
  }

  get layerType(): 'BatchNorm1d' {
    return 'BatchNorm1d'
  }
}
