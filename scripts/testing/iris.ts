// scikit-learn's iris table (Debian's python3-sklearn, which scripts/system-deps.sh installs) and
// the network the tests train on it, shared by the graph, train and cli tests.

/** scikit-learn's copy of iris: a first row of counts, then 150 rows of 4 features and the class. */
export const IRIS = '/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv'

/**
 * CSVDataset (from `source`, or from the CLI's `--data` when left out) → RandomSplit(0.8) →
 * DataLoader(16) → Linear(4, 32) → ReLU → Linear(32, 3) → CrossEntropyLoss.
 */
export function irisSteps(source?: string): Array<[string, Record<string, unknown>?]> {
  return [
    [
      'CSVDataset',
      {
        ...(source === undefined ? {} : { source }),
        features: ['0', '1', '2', '3'],
        target: '4',
        classes: ['0', '1', '2'],
        header: false,
        skipRows: 1,
      },
    ],
    ['RandomSplit', { train: 0.8, seed: 1 }],
    ['DataLoader', { batchSize: 16 }],
    ['Linear', { inFeatures: 4, outFeatures: 32 }],
    ['ReLU'],
    ['Linear', { inFeatures: 32, outFeatures: 3 }],
    ['CrossEntropyLoss'],
  ]
}
