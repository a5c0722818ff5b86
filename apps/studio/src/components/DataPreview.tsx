import type { GraphNode } from '@tensorloom/graph'
import { DataSource } from './DataSource'
import { SamplesView } from './SamplesView'
import '../data/data.css'

export { Thumbnail, ThumbnailGrid } from './Thumbnail'

/**
 * The Block panel's data section for a dataset block: where the data is (shipped, downloaded,
 * kept in this browser, or still to be dropped in), what a scan found (classes and their counts,
 * sizes, the table's columns with its header and target), and a preview of samples. Other data
 * blocks (transforms, DataLoader) show the graph's dataset's samples.
 */
export function DataPreview({ node }: { node: GraphNode }) {
  const isDataset = [
    'MNIST',
    'FashionMNIST',
    'CIFAR10',
    'ImageFolder',
    'CSVDataset',
    'Toy2D',
  ].includes(node.type)
  return (
    <section className="section" data-testid="data-preview">
      <h3>Data</h3>
      {isDataset && <DataSource node={node} />}
      <div style={{ marginTop: 10 }}>
        <SamplesView node={node} isDataset={isDataset} />
      </div>
    </section>
  )
}
