#!/usr/bin/python3
"""PyTorch 1.13 reference for `pnpm bench -- --torch`: the lesson's network, Adam(lr=1e-3), batch 64,
with the same initial weights (torch.manual_seed(seed)) and the same shuffling
(DataLoader(generator=torch.Generator().manual_seed(shuffle_seed))) as the TypeScript bench.
Prints one line per epoch: `epoch <n> <test accuracy>`.

Usage: /usr/bin/python3 bench/torch_lesson.py <mnist dir> <epochs> <seed> <shuffle seed>
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
directory, epochs, seed, shuffle_seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])


def idx(name):
    data = open(os.path.join(directory, name), 'rb').read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def images(name):
    x = torch.from_numpy(idx(name).copy()).float().div(255).unsqueeze(1)
    return x.sub(0.1307).div(0.3081)


def labels(name):
    return torch.from_numpy(idx(name).astype(np.int64))


class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.layers(self.flatten(x))


train = torch.utils.data.TensorDataset(images('train-images-idx3-ubyte'), labels('train-labels-idx1-ubyte'))
x_test, y_test = images('t10k-images-idx3-ubyte'), labels('t10k-labels-idx1-ubyte')
torch.manual_seed(seed)
model = SimpleNN()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
loader = torch.utils.data.DataLoader(train, batch_size=64, shuffle=True,
                                     generator=torch.Generator().manual_seed(shuffle_seed))
for epoch in range(1, epochs + 1):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    print(f'epoch {epoch} {accuracy}', flush=True)
