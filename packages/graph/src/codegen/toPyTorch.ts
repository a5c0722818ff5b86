import type { Block, DatasetBlock, DatasetCode } from '../blocks/block.js'
import { blockCode, blockOf, blocks } from '../blocks/index.js'
import type { PlannedNode, PlannedStep, ValidPlan } from '../planGraph.js'
import { formatPython, pythonNumber } from '../python.js'
import type { GraphDocument } from '../types.js'
import { commentText, plan } from './common.js'
import { forwardStatements } from './forward.js'

const p = formatPython
const n = pythonNumber

/** The module, transform or loss expression of a planned node, from its block definition. */
const code = (node: PlannedNode): string => blockCode(node, 'pytorch')

function pyOptimizer(t: GraphDocument['training']): string {
  switch (t.optimizer) {
    case 'SGD':
      return `optim.SGD(model.parameters(), lr=${n(t.lr)}${t.momentum ? `, momentum=${n(t.momentum)}` : ''})`
    default:
      return `optim.${t.optimizer}(model.parameters(), lr=${n(t.lr)})`
  }
}

/** `merge(args)` in PyTorch, e.g. `x + identity`. */
const mergeCode = (step: PlannedStep, args: readonly string[]): string =>
  (blockOf(step.type) as Extract<Block, { kind: 'merge' }>).pytorch(step.params, args)

/** A branching network: one attribute per layer, and a `forward` with named intermediates. */
function graphModel(plan: ValidPlan): string[] {
  const lines = plan.layers.map((layer) => `        self.${layer.path} = ${code(layer)}`)
  lines.push('', '    def forward(self, x):')
  const { statements, result } = forwardStatements(plan)
  for (const s of statements) {
    const value =
      s.kind === 'call'
        ? `self.${s.attribute}(${s.arg})`
        : s.kind === 'merge'
          ? mergeCode(s.step, s.args)
          : s.source
    lines.push(`        ${s.target} = ${value}`)
  }
  lines.push(`        return ${result}`)
  return lines
}

function model(plan: ValidPlan): string {
  const lines = [
    'class SimpleNN(nn.Module):',
    '    def __init__(self):',
    '        super(SimpleNN, self).__init__()',
  ]
  if (!plan.chain) return [...lines, ...graphModel(plan)].join('\n')
  const layers = plan.layers.filter((layer) => layer.path !== 'flatten')
  if (plan.leadingFlatten) lines.push('        self.flatten = nn.Flatten()')
  if (layers.length === 0) {
    lines.push('        self.layers = nn.Sequential()')
  } else {
    lines.push('        self.layers = nn.Sequential(')
    for (const layer of layers) lines.push(`            ${code(layer)},`)
    lines.push('        )')
  }
  lines.push('', '    def forward(self, x):')
  if (plan.leadingFlatten) lines.push('        x = self.flatten(x)')
  lines.push('        x = self.layers(x)', '        return x')
  return lines.join('\n')
}

const datasetCode = (x: ValidPlan): DatasetCode<object> =>
  (blockOf(x.dataset.type) as DatasetBlock<string, object>).pytorch

/** Module-level code the dataset needs (a `Dataset` class, a generator), after two blank lines. */
function definitions(x: ValidPlan): string {
  const code = datasetCode(x).definitions?.(x.dataset.params)
  return code ? `\n${code.trimEnd()}\n\n` : ''
}

/** The lines that make `train_dataset` and `test_dataset`. */
function datasetLines(x: ValidPlan): string {
  const load = datasetCode(x).load
  const { params, train, split: own } = x.dataset
  if (x.split) {
    const lengths = blocks.RandomSplit.pytorch(x.split)
    return [
      `    dataset = ${load(params, own === 'own' ? train : null)}`,
      `    train_dataset, test_dataset = random_split(dataset, ${lengths})`,
    ].join('\n')
  }
  if (own === 'own') {
    return [
      `    train_dataset = ${load(params, train)}`,
      `    test_dataset = ${load(params, false)}`,
    ].join('\n')
  }
  return [
    `    train_dataset = ${load(params, null)}`,
    '    test_dataset = train_dataset  # no held-out samples: add a RandomSplit',
  ].join('\n')
}

/** How the loss is computed from `outputs` and class-index `labels`. */
function lossLine(plan: ValidPlan): string {
  const { loss } = plan
  const target =
    loss.target === 'oneHot'
      ? `F.one_hot(labels, num_classes=${loss.classes}).float()`
      : loss.target === 'value'
        ? 'labels.float().view_as(outputs)'
        : 'labels'
  const mean = loss.reduction === 'none' ? '.mean()' : ''
  return `loss = criterion(outputs, ${target})${mean}`
}

/**
 * Exports the graph as a complete, runnable PyTorch script in the lesson's style: torchvision
 * `Compose([ToTensor(), Normalize(...)])`, `datasets.MNIST(root='./data', ...)`, `DataLoader`s, a
 * `SimpleNN(nn.Module)` with `nn.Flatten` + `nn.Sequential` + `forward`, the loss, the optimizer,
 * and a training loop that prints the loss and the test accuracy.
 *
 * `python train.py` trains in one process (on the GPU when there is one); under
 * `torchrun --nproc_per_node=N train.py` it trains with DistributedDataParallel (gloo on CPU,
 * nccl on GPU) and a DistributedSampler. Flags: `--data-root`, `--epochs`, `--max-steps`,
 * `--log-interval`; the defaults come from the document.
 *
 * Throws `GraphExportError` when `inferShapes` reports errors; warnings become comments.
 */
export function toPyTorch(doc: GraphDocument): string {
  const x = plan(doc)
  const t = x.training
  const usesF = x.loss.target === 'oneHot'
  const warnings = x.warnings.map(
    (w) => `# Warning${w.nodeId ? ` (${commentText(w.nodeId)})` : ''}: ${commentText(w.message)}`,
  )
  const shuffle = p(x.loader.params.shuffle)
  // `coding:` on the first two lines would be read as the file's encoding (PEP 263): break it up.
  const title = commentText(x.name).replaceAll(/coding(?=[:=])/g, 'coding ')
  return `# ${title || 'Untitled'}, exported from Tensorloom.
#
# Train:                python train.py
# Train on 2 processes: torchrun --nproc_per_node=2 train.py
# Options:              --data-root DIR  --epochs N  --max-steps N  --log-interval N
${warnings.length > 0 ? `#\n${warnings.join('\n')}\n` : ''}import argparse
import os

import torch
import torch.distributed as dist
import torch.nn as nn
${usesF ? 'import torch.nn.functional as F\n' : ''}import torch.optim as optim
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader${x.split ? ', random_split' : ''}
from torch.utils.data.distributed import DistributedSampler
from torchvision import datasets, transforms
${datasetCode(x)
  .imports(x.dataset.params)
  .map((line) => `${line}\n`)
  .join('')}
${definitions(x)}
${model(x)}


def evaluate(model, loader, device):
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            outputs = model(images)
            correct += (outputs.argmax(dim=1) == labels).sum().item()
            total += labels.size(0)
    return 100.0 * correct / total


def main():
    parser = argparse.ArgumentParser(description='Train SimpleNN on ${x.dataset.type}.')
    parser.add_argument('--data-root', default=${p(datasetCode(x).defaultRoot(x.dataset.params))}, help=${p(datasetCode(x).rootHelp?.(x.dataset.params) ?? 'where the dataset is stored')})
    parser.add_argument('--epochs', type=int, default=${t.epochs})
    parser.add_argument('--max-steps', type=int, default=0, help='stop after this many steps (0: no limit)')
    parser.add_argument('--log-interval', type=int, default=100, help='print the loss every N steps')
    args = parser.parse_args()

    # torchrun sets WORLD_SIZE, RANK and LOCAL_RANK; plain \`python\` runs one process.
    distributed = int(os.environ.get('WORLD_SIZE', '1')) > 1
    rank = int(os.environ.get('RANK', '0'))
    local_rank = int(os.environ.get('LOCAL_RANK', '0'))
    if distributed:
        dist.init_process_group(backend='nccl' if torch.cuda.is_available() else 'gloo')
    if torch.cuda.is_available():
        device = torch.device('cuda', local_rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device('cpu')
    torch.manual_seed(${t.seed})

    transform = transforms.Compose([
${x.transforms.map((node) => `        ${code(node)},`).join('\n')}
    ])
    # The first process downloads the data while the others wait, then they all read it.
    if distributed and rank != 0:
        dist.barrier()
${datasetLines(x)}
    if distributed and rank == 0:
        dist.barrier()

    # Each process trains on its own share of the data; the sampler shuffles it every epoch.
    sampler = DistributedSampler(train_dataset, shuffle=${shuffle}, seed=${t.seed}) if distributed else None
    train_loader = DataLoader(train_dataset, batch_size=${x.loader.params.batchSize}, shuffle=${x.loader.params.shuffle ? '(sampler is None)' : 'False'}, sampler=sampler)
    test_loader = DataLoader(test_dataset, batch_size=1000, shuffle=False)

    model = SimpleNN().to(device)
    if distributed:
        model = DistributedDataParallel(model, device_ids=[local_rank] if device.type == 'cuda' else None)
    criterion = ${code(x.loss)}
    optimizer = ${pyOptimizer(t)}

    step = 0
    for epoch in range(1, args.epochs + 1):
        if sampler is not None:
            sampler.set_epoch(epoch)
        model.train()
        for batch_idx, (images, labels) in enumerate(train_loader):
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            outputs = model(images)
            ${lossLine(x)}
            loss.backward()
            optimizer.step()
            step += 1
            if rank == 0 and (batch_idx + 1) % args.log_interval == 0:
                print(f'Epoch [{epoch}/{args.epochs}], Step [{batch_idx + 1}/{len(train_loader)}], Loss: {loss.item():.4f}', flush=True)
            if args.max_steps and step >= args.max_steps:
                break
        if rank == 0:
            accuracy = evaluate(model.module if distributed else model, test_loader, device)
            print(f'Epoch [{epoch}/{args.epochs}], Test accuracy: {accuracy:.2f}%', flush=True)
        if args.max_steps and step >= args.max_steps:
            break

    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
`
}
