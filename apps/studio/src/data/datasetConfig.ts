/**
 * Where the studio finds the datasets its palette offers, as the build decided (see
 * vite/datasetAssets.ts): MNIST always ships with the studio; FashionMNIST ships with it when the
 * build machine had it, otherwise it is downloaded on first use from `download.mirrors` (each file
 * checked against `download.md5`, kept in Cache Storage). CIFAR-10 is never bundled nor downloaded:
 * its archive is dropped in by the user. Plain data, shared by the page, the worker and the build.
 */
export interface DownloadSource {
  /** Base URLs, tried in order. */
  mirrors: string[]
  /** MD5 (hex) of each file, by file name. */
  md5: Record<string, string>
}

export interface StudioDatasetConfig {
  FashionMNIST: { bundled: boolean; download: DownloadSource | null }
}

/** FashionMNIST's four files, as published. */
export const FASHION_FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
] as const

/**
 * Zalando's copies of Fashion-MNIST: the S3 website torchvision downloads from, and the dataset's
 * GitHub repository (served over HTTPS, with CORS headers, so a page on https can fetch it).
 */
export const FASHION_MIRRORS = [
  'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
  'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
]

/** torchvision's MD5 of each file (the same as `FashionMNIST.resources` in @tensorloom/data). */
export const FASHION_MD5: Record<string, string> = {
  'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
  'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
  't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
  't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
}

export function defaultDatasetConfig(): StudioDatasetConfig {
  return {
    FashionMNIST: {
      bundled: false,
      download: { mirrors: [...FASHION_MIRRORS], md5: { ...FASHION_MD5 } },
    },
  }
}

declare const __STUDIO_DATASETS__: StudioDatasetConfig | undefined

/** The build's dataset config (the default, downloading FashionMNIST, outside a Vite build). */
export const studioDatasets: StudioDatasetConfig =
  typeof __STUDIO_DATASETS__ === 'undefined' ? defaultDatasetConfig() : __STUDIO_DATASETS__
