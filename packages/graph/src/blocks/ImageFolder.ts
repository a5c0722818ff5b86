import { makeIssue } from '../errors.js'
import { defineDataset } from './block.js'
import { bool, int } from './params.js'

/**
 * `datasets.ImageFolder(root, transform)`: the images in `root/<class>/`, described by what a
 * scan of them found (the studio and `tensorloom train --data` fill these in).
 */
export interface ImageFolderParams {
  source: string
  classes: string[]
  channels: number
  height: number
  width: number
  mixedSizes: boolean
}

/** `datasets.ImageFolder`: your own images, one folder per class. */
export const ImageFolder = defineDataset<'ImageFolder', ImageFolderParams>({
  type: 'ImageFolder',
  kind: 'dataset',
  category: 'data',
  description: 'Your own images: one folder per class (PNG or JPEG), e.g. pets/cat, pets/dog.',
  params: {
    source: {
      label: 'root',
      kind: 'text',
      help: 'The folder with one subfolder per class (the CLI’s --data, a dropped folder).',
    },
    classes: {
      label: 'classes',
      kind: 'textList',
      help: 'The class folders, sorted as torchvision sorts them (found when the data is read).',
    },
    channels: int('channels', 1, 3, '1 when every image is gray, else 3 (RGB).'),
    height: int('height', 1, 8192, 'Height of the images (the most common one when they differ).'),
    width: int('width', 1, 8192, 'Width of the images (the most common one when they differ).'),
    mixedSizes: bool('mixed_sizes', 'True when the images differ in size (add a Resize).'),
  },
  defaults: {
    source: 'images',
    classes: [],
    channels: 3,
    height: 32,
    width: 32,
    mixedSizes: false,
  },
  info: (p) => ({
    shape: [p.channels === 1 ? 1 : 3, p.height, p.width],
    stage: 'image',
    task: 'classification',
    classes: p.classes.length,
    stats: null,
    split: 'none',
    mixedSizes: p.mixedSizes,
  }),
  check: (p) =>
    p.classes.length < 2
      ? makeIssue('DATASET_TOO_FEW_CLASSES', { type: 'ImageFolder', classes: p.classes.length })
      : null,
  summary: (p) =>
    `${p.classes.length} classes · ${p.channels === 1 ? 'gray' : 'RGB'} ${p.height}×${p.width}${p.mixedSizes ? ' (mixed)' : ''}`,
  pytorch: {
    load: (p) =>
      `datasets.ImageFolder(root=args.data_root, transform=transform${p.channels === 1 ? ', loader=gray_loader' : ''})`,
    imports: (p) => (p.channels === 1 ? ['from PIL import Image'] : []),
    definitions: (p) =>
      p.channels === 1
        ? `def gray_loader(path):
    # One channel, as the images were read when the network was built (ImageFolder reads RGB).
    with open(path, 'rb') as f:
        return Image.open(f).convert('L')`
        : '',
    defaultRoot: (p) => p.source,
  },
  typescript: {
    load: (p) =>
      `await ImageFolder.load({ root, transform, channels: ${p.channels === 1 ? 1 : 3} })`,
    imports: () => ['ImageFolder'],
    defaultRoot: (p) => p.source,
  },
})
