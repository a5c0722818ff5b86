import { makeIssue } from '../errors.js'
import { definePipeline } from './block.js'
import { imageOf } from './imageSize.js'
import { setParam } from './rules.js'

/** `transforms.Grayscale(num_output_channels=1)` */
export interface GrayscaleParams {
  numOutputChannels: number
}

/** `transforms.Grayscale`: one brightness channel (or three equal ones). */
export const Grayscale = definePipeline<'Grayscale', GrayscaleParams>({
  type: 'Grayscale',
  kind: 'transform',
  category: 'data',
  description: 'Turns colour images gray: 1 channel, or 3 equal ones for a model that wants RGB.',
  params: {
    numOutputChannels: {
      label: 'num_output_channels',
      kind: 'int',
      min: 1,
      max: 3,
      help: 'Channels of the result: 1, or 3 (the same gray three times).',
    },
  },
  defaults: { numOutputChannels: 1 },
  infer(input, { numOutputChannels }, ctx) {
    const image = imageOf('Grayscale', input.shape)
    if (!image.ok) return image.result
    if (!ctx.paramsValid) return { output: null }
    if (numOutputChannels === 2) {
      const fix = setParam('numOutputChannels', 1, 'Set num_output_channels = 1')
      return { output: null, errors: [makeIssue('GRAYSCALE_CHANNELS', { numOutputChannels }, fix)] }
    }
    const c = numOutputChannels
    const stats = input.stats && {
      mean: Array.from({ length: c }, () => average(input.stats!.mean)),
      std: Array.from({ length: c }, () => average(input.stats!.std)),
    }
    return { output: { ...input, shape: [c, image.h, image.w], stats } }
  },
  summary: (p) => `${p.numOutputChannels} channel${p.numOutputChannels === 1 ? '' : 's'}`,
  pytorch: (p) =>
    `transforms.Grayscale(${p.numOutputChannels === 1 ? '' : `num_output_channels=${p.numOutputChannels}`})`,
  typescript: (p) => `new Grayscale(${p.numOutputChannels === 1 ? '' : p.numOutputChannels})`,
})

const average = (values: readonly number[]): number =>
  Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 1e4) / 1e4
