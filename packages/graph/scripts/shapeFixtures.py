"""Generates src/fixtures/shapeRules.json: what PyTorch says for each (layer, params, input shape).

Run with Debian's PyTorch: /usr/bin/python3 packages/graph/scripts/shapeFixtures.py
Each case records either the output shape or the first line of PyTorch's error message, so the
TypeScript shape rules can be checked against PyTorch itself.
"""
import json
import os
import warnings

import torch
import torch.nn as nn

warnings.filterwarnings('ignore')


def build(layer_type, p):
    if layer_type == 'Flatten':
        return nn.Flatten(p['startDim'], p['endDim'])
    if layer_type == 'Linear':
        return nn.Linear(p['inFeatures'], p['outFeatures'], bias=p['bias'])
    if layer_type == 'Conv2d':
        return nn.Conv2d(p['inChannels'], p['outChannels'], p['kernelSize'], stride=p['stride'],
                         padding=p['padding'], bias=p['bias'])
    if layer_type == 'MaxPool2d':
        return nn.MaxPool2d(p['kernelSize'], stride=p['stride'])
    if layer_type == 'Dropout':
        return nn.Dropout(p['p'])
    if layer_type == 'BatchNorm1d':
        return nn.BatchNorm1d(p['numFeatures'], eps=p['eps'], momentum=p['momentum'])
    if layer_type == 'BatchNorm2d':
        return nn.BatchNorm2d(p['numFeatures'], eps=p['eps'], momentum=p['momentum'])
    if layer_type == 'LayerNorm':
        return nn.LayerNorm(p['normalizedShape'], eps=p['eps'])
    if layer_type == 'AvgPool2d':
        return nn.AvgPool2d(p['kernelSize'], stride=p['stride'], padding=p['padding'])
    if layer_type == 'AdaptiveAvgPool2d':
        return nn.AdaptiveAvgPool2d(p['outputSize'])
    if layer_type == 'Dropout2d':
        return nn.Dropout2d(p['p'])
    if layer_type == 'LeakyReLU':
        return nn.LeakyReLU(p['negativeSlope'])
    if layer_type == 'ELU':
        return nn.ELU(p['alpha'])
    if layer_type == 'GELU':
        return nn.GELU(approximate=p['approximate'])
    if layer_type in ('ReLU', 'Sigmoid', 'Tanh', 'SiLU', 'Identity'):
        return getattr(nn, layer_type)()
    if layer_type in ('Softmax', 'LogSoftmax'):
        return getattr(nn, layer_type)(dim=p['dim'])
    raise ValueError(layer_type)


FLAT = {'startDim': 1, 'endDim': -1}
LIN = lambda i, o, b=True: {'inFeatures': i, 'outFeatures': o, 'bias': b}
CONV = lambda i, o, k, s=1, pad=0, b=True: {'inChannels': i, 'outChannels': o, 'kernelSize': k,
                                            'stride': s, 'padding': pad, 'bias': b}
POOL = lambda k, s=None: {'kernelSize': k, 'stride': s}
BN = lambda n: {'numFeatures': n, 'eps': 1e-5, 'momentum': 0.1}
LN = lambda *shape: {'normalizedShape': list(shape), 'eps': 1e-5}
AVG = lambda k, s=None, pad=0: {'kernelSize': k, 'stride': s, 'padding': pad}

CASES = [
    ('Flatten', FLAT, [64, 1, 28, 28]),
    ('Flatten', FLAT, [64, 784]),
    ('Flatten', FLAT, [64, 32, 5, 5]),
    ('Flatten', {'startDim': 0, 'endDim': -1}, [64, 1, 28, 28]),
    ('Flatten', {'startDim': 2, 'endDim': 3}, [64, 1, 28, 28]),
    ('Flatten', {'startDim': 1, 'endDim': 1}, [4, 10, 3]),
    ('Flatten', {'startDim': 2, 'endDim': -1}, [64, 10]),
    ('Flatten', {'startDim': 2, 'endDim': 1}, [64, 10, 3]),
    ('Flatten', {'startDim': 1, 'endDim': 5}, [64, 10, 3]),
    ('Flatten', {'startDim': -5, 'endDim': -1}, [64, 10, 3]),
    ('Flatten', FLAT, [10]),
    ('Flatten', {'startDim': 0, 'endDim': -1}, [10]),
    ('Flatten', {'startDim': 0, 'endDim': 0}, []),
    ('Flatten', FLAT, []),
    ('Linear', LIN(784, 128), [64, 784]),
    ('Linear', LIN(784, 128), [64, 1, 28, 28]),
    ('Linear', LIN(700, 128), [64, 784]),
    ('Linear', LIN(28, 128), [64, 1, 28, 28]),
    ('Linear', LIN(700, 128), [64]),
    ('Linear', LIN(64, 10), [64]),
    ('Linear', LIN(700, 128), [64, 3, 784]),
    ('Linear', LIN(800, 10, False), [64, 32, 5, 5]),
    ('Linear', LIN(700, 128), []),
    ('Linear', LIN(128, 10), [1, 128]),
    ('Conv2d', CONV(1, 32, 3), [64, 1, 28, 28]),
    ('Conv2d', CONV(3, 32, 3), [64, 1, 28, 28]),
    ('Conv2d', CONV(1, 32, 3), [64, 784]),
    ('Conv2d', CONV(1, 32, 3), [1, 28, 28]),
    ('Conv2d', CONV(1, 32, 3), [2, 1, 1, 28, 28]),
    ('Conv2d', CONV(1, 32, 5), [64, 1, 2, 2]),
    ('Conv2d', CONV(1, 32, 5, pad=1), [64, 1, 2, 2]),
    ('Conv2d', CONV(1, 32, 3, s=2, pad=1), [64, 1, 28, 28]),
    ('Conv2d', CONV(16, 32, 5, s=3, pad=2, b=False), [8, 16, 13, 17]),
    ('Conv2d', CONV(1, 8, 3), [64, 1, 3, 10]),
    ('MaxPool2d', POOL(2), [64, 32, 26, 26]),
    ('MaxPool2d', POOL(2), [64, 1, 7, 7]),
    ('MaxPool2d', POOL(3, 2), [64, 1, 7, 7]),
    ('MaxPool2d', POOL(2, 1), [64, 1, 7, 7]),
    ('MaxPool2d', POOL(2), [1, 28, 28]),
    ('MaxPool2d', POOL(2), [64, 784]),
    ('MaxPool2d', POOL(2), [784]),
    ('MaxPool2d', POOL(2), [1, 1, 1, 28, 28]),
    ('MaxPool2d', POOL(3), [64, 1, 2, 2]),
    ('MaxPool2d', POOL(3), [64, 1, 2, 9]),
    ('Dropout', {'p': 0.5}, [64, 128]),
    ('Dropout', {'p': 0.0}, [64, 1, 28, 28]),
    ('BatchNorm1d', BN(128), [64, 128]),
    ('BatchNorm1d', BN(128), [64, 784]),
    ('BatchNorm1d', BN(128), [64, 1, 28, 28]),
    ('BatchNorm1d', BN(128), [128]),
    ('BatchNorm1d', BN(128), [4, 128, 5]),
    ('BatchNorm1d', BN(128), [4, 5, 128]),
    ('BatchNorm2d', BN(32), [64, 32, 13, 13]),
    ('BatchNorm2d', BN(32), [64, 16, 13, 13]),
    ('BatchNorm2d', BN(128), [64, 128]),
    ('BatchNorm2d', BN(32), [32, 13, 13]),
    ('BatchNorm2d', BN(32), [2, 32, 3, 3, 3]),
    ('BatchNorm2d', BN(1), [1, 1, 1, 2]),
    ('BatchNorm2d', BN(3), [0, 3, 4, 4]),
    ('LayerNorm', LN(128), [64, 128]),
    ('LayerNorm', LN(128), [64, 784]),
    ('LayerNorm', LN(7, 7), [64, 16, 7, 7]),
    ('LayerNorm', LN(16, 7, 7), [64, 16, 7, 7]),
    ('LayerNorm', LN(7, 7), [64, 7, 16]),
    ('LayerNorm', LN(3, 4), [4]),
    ('LayerNorm', LN(4), [4]),
    ('LayerNorm', LN(4), []),
    ('AvgPool2d', AVG(2), [64, 32, 26, 26]),
    ('AvgPool2d', AVG(2), [64, 1, 7, 7]),
    ('AvgPool2d', AVG(3, 2, 1), [64, 8, 28, 28]),
    ('AvgPool2d', AVG(2, 1, 1), [2, 3, 4, 5]),
    ('AvgPool2d', AVG(2), [3, 8, 8]),
    ('AvgPool2d', AVG(3), [64, 1, 2, 2]),
    ('AvgPool2d', AVG(3), [64, 1, 2, 9]),
    ('AvgPool2d', AVG(4, None, 1), [64, 1, 1, 1]),
    ('AvgPool2d', AVG(3, None, 2), [64, 1, 8, 8]),
    ('AvgPool2d', AVG(3, None, 2), [64, 784]),
    ('AvgPool2d', AVG(2), [64, 784]),
    ('AvgPool2d', AVG(2), [784]),
    ('AvgPool2d', AVG(2), []),
    ('AvgPool2d', AVG(2), [1, 1, 1, 28, 28]),
    ('AvgPool2d', AVG(2), [64, 0, 4, 4]),
    ('AvgPool2d', AVG(2), [0, 3, 4, 4]),
    ('AdaptiveAvgPool2d', {'outputSize': 1}, [64, 32, 5, 5]),
    ('AdaptiveAvgPool2d', {'outputSize': 3}, [64, 32, 7, 5]),
    ('AdaptiveAvgPool2d', {'outputSize': 4}, [64, 8, 2, 2]),
    ('AdaptiveAvgPool2d', {'outputSize': 2}, [8, 5, 5]),
    ('AdaptiveAvgPool2d', {'outputSize': 1}, [64, 784]),
    ('AdaptiveAvgPool2d', {'outputSize': 1}, [2, 1, 1, 28, 28]),
    ('AdaptiveAvgPool2d', {'outputSize': 1}, [64, 3, 0, 4]),
    ('AdaptiveAvgPool2d', {'outputSize': 1}, [784]),
    ('AdaptiveAvgPool2d', {'outputSize': 1}, []),
    ('AdaptiveAvgPool2d', {'outputSize': 2}, [64, 784]),
    ('AdaptiveAvgPool2d', {'outputSize': 2}, [2, 1, 1, 28, 28]),
    ('AdaptiveAvgPool2d', {'outputSize': 2}, [64, 3, 0, 4]),
    ('AdaptiveAvgPool2d', {'outputSize': 2}, [64, 3, 4, 0]),
    ('AdaptiveAvgPool2d', {'outputSize': 2}, [64, 0, 4, 4]),
    ('AdaptiveAvgPool2d', {'outputSize': 2}, [0, 4, 4]),
    ('AdaptiveAvgPool2d', {'outputSize': 2}, [4, 0, 4]),
    ('Dropout2d', {'p': 0.5}, [64, 32, 13, 13]),
    ('Dropout2d', {'p': 0.25}, [64, 128]),
    ('Dropout2d', {'p': 0.5}, [64, 8, 10]),
    ('Dropout2d', {'p': 0.5}, [10]),
    ('Dropout2d', {'p': 0.0}, [10]),
    ('Dropout2d', {'p': 0.5}, [0]),
    ('Identity', {}, [64, 1, 28, 28]),
    ('Identity', {}, []),
    ('ReLU', {}, [64, 128]),
    ('LeakyReLU', {'negativeSlope': 0.01}, [64, 128]),
    ('LeakyReLU', {'negativeSlope': 0.2}, [64, 1, 28, 28]),
    ('ELU', {'alpha': 1.0}, [64, 128]),
    ('ELU', {'alpha': 0.5}, [10]),
    ('GELU', {'approximate': 'none'}, [64, 128]),
    ('GELU', {'approximate': 'tanh'}, [64, 8, 4, 4]),
    ('SiLU', {}, [64, 128]),
    ('Sigmoid', {}, [64, 1, 28, 28]),
    ('Tanh', {}, [10]),
    ('Softmax', {'dim': 1}, [64, 10]),
    ('Softmax', {'dim': 2}, [64, 10]),
    ('Softmax', {'dim': -3}, [64, 10]),
    ('Softmax', {'dim': -1}, [64, 10]),
    ('Softmax', {'dim': 0}, [10]),
    ('Softmax', {'dim': 1}, []),
    ('LogSoftmax', {'dim': 1}, [64, 10]),
    ('LogSoftmax', {'dim': 3}, [64, 1, 28, 28]),
    ('LogSoftmax', {'dim': 4}, [64, 1, 28, 28]),
]


def run(layer_type, params, shape):
    layer = build(layer_type, params)
    layer.train()
    try:
        with torch.no_grad():
            out = layer(torch.zeros(shape))
        return {'shape': list(out.shape)}
    except Exception as e:  # noqa: BLE001 - we record whatever PyTorch raises
        return {'error': str(e).split('\n')[0]}


def main():
    torch.manual_seed(0)
    cases = []
    for layer_type, params, shape in CASES:
        layer = build(layer_type, params)
        count = sum(p.numel() for p in layer.parameters())
        cases.append({'type': layer_type, 'params': params, 'input': shape,
                      'paramCount': count, **run(layer_type, params, shape)})
    out = os.path.join(os.path.dirname(__file__), '..', 'src', 'fixtures', 'shapeRules.json')
    with open(out, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': cases}, f, indent=1)
        f.write('\n')
    print(f'wrote {len(cases)} cases to {os.path.normpath(out)}')


if __name__ == '__main__':
    main()
