import { makeIssue } from '../errors.js'
import { formatPython, formatTypeScript, pyList } from '../python.js'
import { defineDataset } from './block.js'
import { bool, int } from './params.js'

/** The rows of a CSV file: feature columns and a target column (a class or a number). */
export interface CSVDatasetParams {
  source: string
  features: string[]
  target: string
  task: 'classification' | 'regression'
  classes: string[]
  header: boolean
  skipRows: number
}

const PYTHON_CLASS = `class CSVDataset(Dataset):
    """The rows of a CSV file: the feature columns as floats, the target as a class index or a number."""

    def __init__(self, path, features, target, classes=None, header=True, skip_rows=0):
        with open(path, newline='', encoding='utf-8-sig') as f:
            records = list(csv.reader(f))[skip_rows:]
        columns = records[0] if header else [str(i) for i in range(len(records[0]))]
        rows = [dict(zip(columns, record)) for record in (records[1:] if header else records)]
        self.x = torch.tensor([[float(row[c]) for c in features] for row in rows], dtype=torch.float32)
        if classes is None:
            self.y = torch.tensor([float(row[target]) for row in rows], dtype=torch.float32)
        else:
            index = {name: i for i, name in enumerate(classes)}
            self.y = torch.tensor([index[row[target].strip()] for row in rows])

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]`

/** A table of numbers from a CSV file (`CSVDataset` in both exports). */
export const CSVDataset = defineDataset<'CSVDataset', CSVDatasetParams>({
  type: 'CSVDataset',
  kind: 'dataset',
  category: 'data',
  description:
    'Your own table: the rows of a CSV file, numeric feature columns and a target column.',
  params: {
    source: {
      label: 'path',
      kind: 'text',
      help: 'The CSV file (the CLI’s --data, a dropped file).',
    },
    features: {
      label: 'features',
      kind: 'textList',
      help: 'The numeric columns the model reads, by name.',
    },
    target: { label: 'target', kind: 'text', help: 'The column to predict.' },
    task: {
      label: 'task',
      kind: 'enum',
      options: ['classification', 'regression'],
      help: "'classification': the target holds class labels; 'regression': numbers.",
    },
    classes: {
      label: 'classes',
      kind: 'textList',
      help: 'The class labels, sorted (found when the file is read); empty for regression.',
    },
    header: bool('header', 'The first row (after skip_rows) names the columns.'),
    skipRows: int(
      'skip_rows',
      0,
      1000,
      'Rows to skip at the top (e.g. 1 for scikit-learn’s files).',
    ),
  },
  defaults: {
    source: 'data.csv',
    features: [],
    target: 'target',
    task: 'classification',
    classes: [],
    header: true,
    skipRows: 0,
  },
  info: (p) => ({
    shape: [p.features.length],
    stage: 'tensor',
    task: p.task,
    classes: p.task === 'regression' ? 1 : p.classes.length,
    stats: null,
    split: 'none',
  }),
  check: (p) => {
    if (p.features.length === 0) return makeIssue('DATASET_NO_FEATURES', { type: 'CSVDataset' })
    if (p.task === 'classification' && p.classes.length < 2) {
      return makeIssue('DATASET_TOO_FEW_CLASSES', { type: 'CSVDataset', classes: p.classes.length })
    }
    return null
  },
  summary: (p) =>
    `${p.features.length} features → ${p.target}${p.task === 'regression' ? ' (number)' : ` (${p.classes.length} classes)`}`,
  pytorch: {
    load: (p) =>
      `CSVDataset(args.data_root, features=${pyList(p.features)}, target=${formatPython(p.target)}, classes=${
        p.task === 'regression' ? 'None' : pyList(p.classes)
      }${p.header ? '' : ', header=False'}${p.skipRows ? `, skip_rows=${p.skipRows}` : ''})`,
    imports: () => ['import csv', 'from torch.utils.data import Dataset'],
    definitions: () => PYTHON_CLASS,
    defaultRoot: (p) => p.source,
  },
  typescript: {
    load: (p) =>
      `await CSVDataset.load({ source: { path: root }, target: ${formatTypeScript(p.target)}, features: ${formatTypeScript(p.features)}, task: '${p.task}'${p.header ? '' : ', header: false'}${p.skipRows ? `, skipRows: ${p.skipRows}` : ''} })`,
    imports: () => ['CSVDataset'],
    defaultRoot: (p) => p.source,
  },
})
