import { describe, expect, it } from 'vitest'
import { chainDoc, everyLayer, lessonWith, pipeline } from '../../test/graphs.js'
import { applyFix } from '../applyFix.js'
import { GraphExportError } from '../GraphExportError.js'
import { templates } from '../templates.js'
import { toPyTorch } from './toPyTorch.js'

describe('toPyTorch', () => {
  it("writes the lesson's script", () => {
    expect(toPyTorch(templates.lesson)).toMatchInlineSnapshot(`
      "# MNIST lesson, exported from Tensorloom.
      #
      # Train:                python train.py
      # Train on 2 processes: torchrun --nproc_per_node=2 train.py
      # Options:              --data-root DIR  --epochs N  --max-steps N  --log-interval N
      import argparse
      import os

      import torch
      import torch.distributed as dist
      import torch.nn as nn
      import torch.optim as optim
      from torch.nn.parallel import DistributedDataParallel
      from torch.utils.data import DataLoader
      from torch.utils.data.distributed import DistributedSampler
      from torchvision import datasets, transforms


      class SimpleNN(nn.Module):
          def __init__(self):
              super(SimpleNN, self).__init__()
              self.flatten = nn.Flatten()
              self.layers = nn.Sequential(
                  nn.Linear(784, 128),
                  nn.ReLU(),
                  nn.Linear(128, 10),
              )

          def forward(self, x):
              x = self.flatten(x)
              x = self.layers(x)
              return x


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
          parser = argparse.ArgumentParser(description='Train SimpleNN on MNIST.')
          parser.add_argument('--data-root', default='./data', help='where the dataset is stored: torchvision reads <root>/MNIST/raw (it downloads the files there, or put the four uncompressed IDX files there)')
          parser.add_argument('--epochs', type=int, default=1)
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
          torch.manual_seed(42)

          transform = transforms.Compose([
              transforms.ToTensor(),
              transforms.Normalize((0.1307,), (0.3081,)),
          ])
          # The first process downloads the data while the others wait, then they all read it.
          if distributed and rank != 0:
              dist.barrier()
          train_dataset = datasets.MNIST(root=args.data_root, train=True, download=True, transform=transform)
          test_dataset = datasets.MNIST(root=args.data_root, train=False, download=True, transform=transform)
          if distributed and rank == 0:
              dist.barrier()

          # Each process trains on its own share of the data; the sampler shuffles it every epoch.
          sampler = DistributedSampler(train_dataset, shuffle=True, seed=42) if distributed else None
          train_loader = DataLoader(train_dataset, batch_size=64, shuffle=(sampler is None), sampler=sampler)
          test_loader = DataLoader(test_dataset, batch_size=1000, shuffle=False)

          model = SimpleNN().to(device)
          if distributed:
              model = DistributedDataParallel(model, device_ids=[local_rank] if device.type == 'cuda' else None)
          criterion = nn.CrossEntropyLoss()
          optimizer = optim.Adam(model.parameters(), lr=0.001)

          step = 0
          for epoch in range(1, args.epochs + 1):
              if sampler is not None:
                  sampler.set_epoch(epoch)
              model.train()
              for batch_idx, (images, labels) in enumerate(train_loader):
                  images, labels = images.to(device), labels.to(device)
                  optimizer.zero_grad()
                  outputs = model(images)
                  loss = criterion(outputs, labels)
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
      "
    `)
  })

  it('writes every layer type with its non-default arguments', () => {
    const doc = lessonWith(everyLayer, ['NLLLoss', { reduction: 'sum' }])
    const script = toPyTorch(doc)
    const body = script.slice(
      script.indexOf('self.layers = nn.Sequential('),
      script.indexOf('    def forward'),
    )
    expect(body).toBe(`self.layers = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=5, stride=2, padding=2, bias=False),
            nn.MaxPool2d(3, stride=1),
            nn.Tanh(),
            nn.Flatten(end_dim=3),
            nn.Linear(1152, 64, bias=False),
            nn.BatchNorm1d(64, eps=0.001, momentum=0.2),
            nn.Sigmoid(),
            nn.Dropout(0.25),
            nn.Linear(64, 10),
            nn.LogSoftmax(dim=1),
        )

`)
    expect(script).not.toContain('self.flatten')
    expect(script).toContain("criterion = nn.NLLLoss(reduction='sum')")
  })

  it('follows the training settings, data pipeline and loss', () => {
    const doc = chainDoc(
      [
        ['FashionMNIST'],
        ['ToTensor'],
        ['Normalize', { mean: [0.286], std: [0.353] }],
        ['DataLoader', { batchSize: 128 }],
        ['Flatten'],
        ['Linear', { inFeatures: 784, outFeatures: 10 }],
        ['CrossEntropyLoss', { labelSmoothing: 0.1, reduction: 'none' }],
      ],
      { optimizer: 'SGD', lr: 0.01, momentum: 0.9, epochs: 5, seed: 7 },
    )
    const script = toPyTorch(doc)
    expect(script).toContain(
      'datasets.FashionMNIST(root=args.data_root, train=True, download=True, transform=transform)',
    )
    expect(script).toContain('transforms.Normalize((0.286,), (0.353,)),')
    expect(script).toContain('batch_size=128, shuffle=(sampler is None)')
    expect(script).toContain('optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)')
    expect(script).toContain(
      "criterion = nn.CrossEntropyLoss(label_smoothing=0.1, reduction='none')",
    )
    expect(script).toContain('loss = criterion(outputs, labels).mean()')
    expect(script).toContain("parser.add_argument('--epochs', type=int, default=5)")
    expect(script).toContain('torch.manual_seed(7)')
    expect(script).toContain('DistributedSampler(train_dataset, shuffle=True, seed=7)')
  })

  it('encodes labels one-hot for MSELoss', () => {
    const script = toPyTorch(
      lessonWith([['Flatten'], ['Linear', { inFeatures: 784, outFeatures: 10 }]], ['MSELoss']),
    )
    expect(script).toContain('import torch.nn.functional as F\n')
    expect(script).toContain('loss = criterion(outputs, F.one_hot(labels, num_classes=10).float())')
  })

  it('turns warnings into comments and keeps an unshuffled loader unshuffled', () => {
    const doc = chainDoc([
      ...pipeline.slice(0, 3),
      ['DataLoader', { shuffle: false }],
      ['Flatten'],
      ['Linear', { inFeatures: 784, outFeatures: 10 }],
      ['CrossEntropyLoss'],
    ])
    const script = toPyTorch(doc)
    expect(script).toContain('# Warning (n4): The training DataLoader does not shuffle')
    expect(script).toContain('batch_size=64, shuffle=False, sampler=sampler)')
    expect(script).toContain('DistributedSampler(train_dataset, shuffle=False, seed=42)')
  })

  it('refuses graphs with errors, listing them', () => {
    const doc = lessonWith([['Linear', { inFeatures: 784, outFeatures: 10 }]])
    let error: unknown
    try {
      toPyTorch(doc)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(GraphExportError)
    const exportError = error as GraphExportError
    expect(exportError.code).toBe('EXPORT_BLOCKED')
    expect(exportError.message).toBe(
      'The graph has 1 error and cannot be exported: n5: mat1 and mat2 shapes cannot be multiplied (1792x28 and 784x10)',
    )
    const issue = exportError.issues[0]!
    expect(toPyTorch(applyFix(doc, issue.nodeId, issue.fix!))).toContain(
      'self.flatten = nn.Flatten()',
    )
  })

  it('keeps hostile names inside the comment', () => {
    const doc = { ...templates.lesson, name: 'x\nimport os; os.system("rm -rf /")\r\u2028' }
    const script = toPyTorch(doc)
    expect(script.split('\n')[0]).toBe(
      '# x import os; os.system("rm -rf /"), exported from Tensorloom.',
    )
    expect(script.split('\n')[1]).toBe('#')
  })
})
