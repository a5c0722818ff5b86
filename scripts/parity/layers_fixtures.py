#!/usr/bin/python3
"""Writes the PyTorch parity fixtures of @tensorloom/layers (small JSON files).

Run with Debian's PyTorch (torch 1.13):  /usr/bin/python3 scripts/parity/layers_fixtures.py
Output: packages/layers/src/fixtures/{rng,forward,repr,state_dict,safetensors}.json

Every number is a float32 value written as the double it converts to, so JSON round-trips it
exactly. The fixtures are committed; tests in packages/layers compare against them.
"""

import base64
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'layers', 'src', 'fixtures')


def flat(t):
    return {'shape': list(t.shape), 'dtype': str(t.dtype).replace('torch.', ''),
            'data': t.detach().reshape(-1).double().tolist() if t.dtype.is_floating_point
            else t.detach().reshape(-1).tolist()}


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)')


# ---------------------------------------------------------------------------------------------
# Layer specs shared with the TypeScript side: graph-style camelCase params.

def build(spec):
    t, p = spec['type'], spec.get('params', {})
    if t == 'Linear':
        return nn.Linear(p['inFeatures'], p['outFeatures'], bias=p.get('bias', True))
    if t == 'Conv2d':
        return nn.Conv2d(p['inChannels'], p['outChannels'], p['kernelSize'], stride=p.get('stride', 1),
                         padding=p.get('padding', 0), bias=p.get('bias', True))
    if t == 'MaxPool2d':
        return nn.MaxPool2d(p['kernelSize'], stride=p.get('stride'))
    if t == 'Flatten':
        return nn.Flatten(p.get('startDim', 1), p.get('endDim', -1))
    if t == 'Dropout':
        return nn.Dropout(p.get('p', 0.5))
    if t == 'BatchNorm1d':
        return nn.BatchNorm1d(p['numFeatures'], eps=p.get('eps', 1e-5), momentum=p.get('momentum', 0.1),
                              affine=p.get('affine', True), track_running_stats=p.get('trackRunningStats', True))
    if t == 'BatchNorm2d':
        return nn.BatchNorm2d(p['numFeatures'], eps=p.get('eps', 1e-5), momentum=p.get('momentum', 0.1),
                              affine=p.get('affine', True), track_running_stats=p.get('trackRunningStats', True))
    if t == 'LayerNorm':
        return nn.LayerNorm(p['normalizedShape'], eps=p.get('eps', 1e-5),
                            elementwise_affine=p.get('elementwiseAffine', True))
    if t == 'AvgPool2d':
        return nn.AvgPool2d(p['kernelSize'], stride=p.get('stride'), padding=p.get('padding', 0))
    if t == 'AdaptiveAvgPool2d':
        return nn.AdaptiveAvgPool2d(p['outputSize'])
    if t == 'Dropout2d':
        return nn.Dropout2d(p.get('p', 0.5))
    if t == 'Identity':
        return nn.Identity()
    if t == 'LeakyReLU':
        return nn.LeakyReLU(p.get('negativeSlope', 0.01))
    if t == 'ELU':
        return nn.ELU(p.get('alpha', 1.0))
    if t == 'GELU':
        return nn.GELU(approximate=p.get('approximate', 'none'))
    if t == 'SiLU':
        return nn.SiLU()
    if t == 'ReLU':
        return nn.ReLU()
    if t == 'Sigmoid':
        return nn.Sigmoid()
    if t == 'Tanh':
        return nn.Tanh()
    if t == 'Softmax':
        return nn.Softmax(dim=p['dim'])
    if t == 'LogSoftmax':
        return nn.LogSoftmax(dim=p['dim'])
    raise ValueError(t)


def build_seq(specs):
    return nn.Sequential(*[build(s) for s in specs])


# ---------------------------------------------------------------------------------------------
# RNG: PyTorch's CPU generator, its uniform_ init and its bernoulli_ dropout masks.

def rng_fixtures():
    out = {'mkl': torch.backends.mkl.is_available()}
    g = torch.Generator()
    g.manual_seed(0)
    out['uniform_seed0'] = flat(torch.empty(10).uniform_(0, 1, generator=g))
    g.manual_seed(123456789012345)
    out['uniform_bigseed'] = flat(torch.empty(6).uniform_(-2, 3, generator=g))
    g.manual_seed(-1)
    out['uniform_negseed'] = flat(torch.empty(4).uniform_(0, 1, generator=g))
    g.manual_seed(5)
    out['uniform_seed5_700'] = flat(torch.empty(700).uniform_(0, 1, generator=g)[690:])
    out['default_initial_seed'] = None  # filled below in a fresh generator
    out['default_initial_seed'] = torch.Generator().initial_seed()

    torch.manual_seed(0)
    lin = nn.Linear(20, 8)
    out['linear_20_8_seed0'] = {'weight': flat(lin.weight), 'bias': flat(lin.bias)}
    torch.manual_seed(1)
    conv = nn.Conv2d(2, 3, 3)
    out['conv_2_3_3_seed1'] = {'weight': flat(conv.weight), 'bias': flat(conv.bias)}

    # The lesson's model: summaries of each tensor, then the next draw, to check the stream position.
    torch.manual_seed(42)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    out['lesson_seed42'] = {k: {'shape': list(v.shape), 'head': v.reshape(-1)[:8].double().tolist(),
                                'sum': v.double().sum().item(), 'sumsq': (v.double() ** 2).sum().item()}
                            for k, v in model.state_dict().items()}
    out['lesson_seed42_next'] = flat(torch.rand(3))

    # Dropout masks from the default generator (no MKL: the serial bernoulli path).
    torch.manual_seed(7)
    x = torch.arange(1, 41, dtype=torch.float32).reshape(4, 10) / 10
    d = nn.Dropout(0.3)
    out['dropout'] = {'p': 0.3, 'seed': 7, 'input': flat(x), 'first': flat(d(x)), 'second': flat(d(x))}
    torch.manual_seed(3)
    d2 = nn.Dropout(0.5)
    y = d2(torch.ones(2, 3, 5))
    out['dropout_half'] = {'p': 0.5, 'seed': 3, 'output': flat(y)}

    # Dropout2d: one bernoulli_ draw per (input[0], input[1]) pair, whatever the rank (3-D input is
    # read as (N, C, L) by PyTorch 1.13, 2-D as (N, C)); the warnings for 2-D and 3-D are PyTorch's.
    import warnings
    torch.manual_seed(8)
    x = torch.arange(1, 49, dtype=torch.float32).reshape(2, 3, 2, 4) / 10
    d = nn.Dropout2d(0.4)
    first, second = d(x), d(x)
    torch.manual_seed(9)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        three = nn.Dropout2d(0.5)(torch.ones(3, 4, 2))
        two = nn.Dropout2d(0.25)(torch.ones(5, 6))
    out['dropout2d'] = {'p': 0.4, 'seed': 8, 'input': flat(x), 'first': flat(first), 'second': flat(second),
                        'seed2': 9, 'threeD': flat(three), 'twoD': flat(two)}
    return out


# ---------------------------------------------------------------------------------------------
# Forward (and backward) parity of every layer type.

def forward_case(name, spec, input_shape, seed, train=False, steps=1, scale=1.0, input_data=None):
    torch.manual_seed(seed)
    m = build(spec)
    with torch.no_grad():
        for p in m.parameters():  # non-trivial affine params for BatchNorm and LayerNorm
            if spec['type'] in ('BatchNorm1d', 'BatchNorm2d', 'LayerNorm'):
                p.uniform_(0.5, 1.5)
    m.train(train)
    state = {k: flat(v) for k, v in m.state_dict().items()}
    results = []
    for step in range(steps):
        if input_data is not None:
            x = torch.tensor(input_data, dtype=torch.float32).reshape(input_shape)
        else:
            x = (torch.rand(input_shape) * 2 - 1) * scale + (step * 0.5)
        x.requires_grad_(True)
        g = torch.rand(input_shape if spec['type'] not in ('Linear', 'Conv2d', 'MaxPool2d', 'Flatten', 'AvgPool2d',
                                                           'AdaptiveAvgPool2d') else m(x).shape)
        y = m(x)
        (y * g).sum().backward()
        results.append({'input': flat(x), 'upstream': flat(g), 'output': flat(y), 'inputGrad': flat(x.grad),
                        'paramGrads': {k: flat(p.grad) for k, p in m.named_parameters()},
                        'stateAfter': {k: flat(v) for k, v in m.state_dict().items()}})
        m.zero_grad()
    return {'name': name, 'spec': spec, 'train': train, 'repr': repr(m), 'state': state, 'steps': results}


def forward_fixtures():
    cases = [
        forward_case('Linear 5->3', {'type': 'Linear', 'params': {'inFeatures': 5, 'outFeatures': 3, 'bias': True}}, [4, 5], 10),
        forward_case('Linear 5->3 no bias, 3-D input', {'type': 'Linear', 'params': {'inFeatures': 5, 'outFeatures': 3, 'bias': False}}, [2, 3, 5], 11),
        forward_case('Linear 1-D input', {'type': 'Linear', 'params': {'inFeatures': 4, 'outFeatures': 2, 'bias': True}}, [4], 12),
        forward_case('Flatten default', {'type': 'Flatten', 'params': {'startDim': 1, 'endDim': -1}}, [2, 3, 2, 2], 13),
        forward_case('Flatten 0..1', {'type': 'Flatten', 'params': {'startDim': 0, 'endDim': 1}}, [2, 3, 4], 14),
        forward_case('Flatten -2..-1', {'type': 'Flatten', 'params': {'startDim': -2, 'endDim': -1}}, [2, 2, 2, 3], 15),
        forward_case('Conv2d 2->3 k3', {'type': 'Conv2d', 'params': {'inChannels': 2, 'outChannels': 3, 'kernelSize': 3, 'stride': 1, 'padding': 0, 'bias': True}}, [2, 2, 6, 6], 16),
        forward_case('Conv2d 2->4 k3 s2 p1 no bias', {'type': 'Conv2d', 'params': {'inChannels': 2, 'outChannels': 4, 'kernelSize': 3, 'stride': 2, 'padding': 1, 'bias': False}}, [1, 2, 7, 7], 17),
        forward_case('Conv2d unbatched k2', {'type': 'Conv2d', 'params': {'inChannels': 1, 'outChannels': 2, 'kernelSize': 2, 'stride': 1, 'padding': 1, 'bias': True}}, [1, 4, 4], 18),
        forward_case('MaxPool2d 2', {'type': 'MaxPool2d', 'params': {'kernelSize': 2, 'stride': None}}, [2, 3, 6, 6], 19),
        forward_case('MaxPool2d 3 stride 2', {'type': 'MaxPool2d', 'params': {'kernelSize': 3, 'stride': 2}}, [1, 2, 7, 8], 20),
        forward_case('MaxPool2d unbatched', {'type': 'MaxPool2d', 'params': {'kernelSize': 2, 'stride': 1}}, [2, 3, 3], 21),
        forward_case('Dropout eval', {'type': 'Dropout', 'params': {'p': 0.5}}, [3, 4], 22, train=False),
        forward_case('BatchNorm1d train 2-D', {'type': 'BatchNorm1d', 'params': {'numFeatures': 4, 'eps': 1e-5, 'momentum': 0.1}}, [6, 4], 23, train=True, steps=3, scale=3.0),
        forward_case('BatchNorm1d train 3-D', {'type': 'BatchNorm1d', 'params': {'numFeatures': 3, 'eps': 1e-3, 'momentum': 0.2}}, [4, 3, 5], 24, train=True, steps=2),
        forward_case('BatchNorm1d cumulative momentum', {'type': 'BatchNorm1d', 'params': {'numFeatures': 2, 'eps': 1e-5, 'momentum': None}}, [5, 2], 25, train=True, steps=3),
        forward_case('BatchNorm1d no affine, no running stats', {'type': 'BatchNorm1d', 'params': {'numFeatures': 3, 'eps': 1e-5, 'momentum': 0.1, 'affine': False, 'trackRunningStats': False}}, [4, 3], 26, train=False),
        forward_case('ReLU', {'type': 'ReLU'}, [3, 4], 27, input_data=[-2, -1, -0.5, 0, 0.5, 1, 2, 3, -3, 0.25, -0.25, 0]),
        forward_case('Sigmoid', {'type': 'Sigmoid'}, [2, 5], 28, scale=6.0),
        forward_case('Tanh', {'type': 'Tanh'}, [2, 5], 29, scale=3.0),
        forward_case('Softmax dim 1', {'type': 'Softmax', 'params': {'dim': 1}}, [3, 5], 30, scale=4.0),
        forward_case('Softmax dim 0', {'type': 'Softmax', 'params': {'dim': 0}}, [3, 5], 31, scale=4.0),
        forward_case('Softmax dim -2 3-D', {'type': 'Softmax', 'params': {'dim': -2}}, [2, 3, 4], 32),
        forward_case('LogSoftmax dim 1', {'type': 'LogSoftmax', 'params': {'dim': 1}}, [3, 5], 33, scale=4.0),
        forward_case('LogSoftmax dim 0 large logits', {'type': 'LogSoftmax', 'params': {'dim': 0}}, [2, 3], 34, input_data=[1000, -1000, 50, 999, 0, -50]),
    ]
    cases += [
        forward_case('BatchNorm2d train', {'type': 'BatchNorm2d', 'params': {'numFeatures': 3, 'eps': 1e-5, 'momentum': 0.1}}, [3, 3, 2, 2], 40, train=True, steps=3, scale=3.0),
        forward_case('BatchNorm2d train, eps 1e-3, momentum 0.3', {'type': 'BatchNorm2d', 'params': {'numFeatures': 2, 'eps': 1e-3, 'momentum': 0.3}}, [2, 2, 4, 3], 41, train=True, steps=2),
        forward_case('BatchNorm2d cumulative momentum', {'type': 'BatchNorm2d', 'params': {'numFeatures': 2, 'eps': 1e-5, 'momentum': None}}, [3, 2, 2, 2], 42, train=True, steps=3),
        forward_case('BatchNorm2d batch of one 2x2 image', {'type': 'BatchNorm2d', 'params': {'numFeatures': 2, 'eps': 1e-5, 'momentum': 0.1}}, [1, 2, 2, 2], 43, train=True),
        forward_case('LayerNorm 5', {'type': 'LayerNorm', 'params': {'normalizedShape': [5], 'eps': 1e-5}}, [3, 5], 44, scale=3.0),
        forward_case('LayerNorm (3, 4) eps 1e-3 3-D input', {'type': 'LayerNorm', 'params': {'normalizedShape': [3, 4], 'eps': 1e-3}}, [2, 3, 4], 45, steps=2),
        forward_case('LayerNorm (3, 3) on images', {'type': 'LayerNorm', 'params': {'normalizedShape': [3, 3], 'eps': 1e-5}}, [2, 2, 3, 3], 46, train=True),
        forward_case('LayerNorm without affine', {'type': 'LayerNorm', 'params': {'normalizedShape': [4], 'eps': 1e-5, 'elementwiseAffine': False}}, [3, 4], 47),
        forward_case('AvgPool2d 2', {'type': 'AvgPool2d', 'params': {'kernelSize': 2, 'stride': None, 'padding': 0}}, [1, 2, 6, 6], 48),
        forward_case('AvgPool2d 3 stride 2 padding 1', {'type': 'AvgPool2d', 'params': {'kernelSize': 3, 'stride': 2, 'padding': 1}}, [1, 2, 7, 8], 49),
        forward_case('AvgPool2d unbatched 2 stride 1 padding 1', {'type': 'AvgPool2d', 'params': {'kernelSize': 2, 'stride': 1, 'padding': 1}}, [2, 3, 4], 50),
        forward_case('AdaptiveAvgPool2d 1 (global)', {'type': 'AdaptiveAvgPool2d', 'params': {'outputSize': 1}}, [2, 2, 3, 4], 51),
        forward_case('AdaptiveAvgPool2d 3 from 7x5 (overlapping windows)', {'type': 'AdaptiveAvgPool2d', 'params': {'outputSize': 3}}, [1, 2, 7, 5], 52),
        forward_case('AdaptiveAvgPool2d 4 from 3x3 (larger output)', {'type': 'AdaptiveAvgPool2d', 'params': {'outputSize': 4}}, [1, 2, 3, 3], 53),
        forward_case('AdaptiveAvgPool2d 2 unbatched', {'type': 'AdaptiveAvgPool2d', 'params': {'outputSize': 2}}, [3, 6, 5], 54),
        forward_case('Dropout2d eval', {'type': 'Dropout2d', 'params': {'p': 0.5}}, [2, 3, 2, 2], 55, train=False),
        forward_case('Identity', {'type': 'Identity'}, [2, 3, 2], 56),
        forward_case('LeakyReLU default', {'type': 'LeakyReLU', 'params': {'negativeSlope': 0.01}}, [3, 4], 57, input_data=[-2, -1, -0.5, 0, 0.5, 1, 2, 3, -3, 0.25, -0.25, 0]),
        forward_case('LeakyReLU 0.2', {'type': 'LeakyReLU', 'params': {'negativeSlope': 0.2}}, [2, 5], 58, scale=3.0),
        forward_case('ELU default', {'type': 'ELU', 'params': {'alpha': 1.0}}, [3, 4], 59, input_data=[-5, -2, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 2, 3, -0.25]),
        forward_case('ELU alpha 0.5', {'type': 'ELU', 'params': {'alpha': 0.5}}, [2, 5], 60, scale=3.0),
        forward_case('GELU exact', {'type': 'GELU', 'params': {'approximate': 'none'}}, [3, 6], 61, scale=5.0),
        forward_case('GELU exact at special points', {'type': 'GELU', 'params': {'approximate': 'none'}}, [8], 62, input_data=[-6, -3, -1, -1e-3, 0, 1e-3, 1, 3]),
        forward_case('GELU tanh', {'type': 'GELU', 'params': {'approximate': 'tanh'}}, [3, 6], 63, scale=5.0),
        forward_case('SiLU', {'type': 'SiLU'}, [3, 6], 64, scale=6.0),
    ]
    # BatchNorm eval after training: train two steps, then evaluate with the running stats.
    for seed, t, shape in [(35, 'BatchNorm1d', [8, 4]), (36, 'BatchNorm2d', [4, 4, 2, 2])]:
        torch.manual_seed(seed)
        bn = getattr(nn, t)(4)
        for _ in range(2):
            bn(torch.randn(shape) * 2 + 1)
        bn.eval()
        state = {k: flat(v) for k, v in bn.state_dict().items()}
        x = torch.randn([3] + shape[1:], requires_grad=True)
        g = torch.rand([3] + shape[1:])
        y = bn(x)
        (y * g).sum().backward()
        cases.append({'name': f'{t} eval with running stats',
                      'spec': {'type': t, 'params': {'numFeatures': 4, 'eps': 1e-5, 'momentum': 0.1}},
                      'train': False, 'repr': repr(bn), 'state': state,
                      'steps': [{'input': flat(x), 'upstream': flat(g), 'output': flat(y), 'inputGrad': flat(x.grad),
                                 'paramGrads': {k: flat(p.grad) for k, p in bn.named_parameters()},
                                 'stateAfter': {k: flat(v) for k, v in bn.state_dict().items()}}]})
    return {'torch': torch.__version__, 'cases': cases}


# ---------------------------------------------------------------------------------------------
# print(model), state-dict keys, names.

LESSON = [{'type': 'Flatten', 'params': {'startDim': 1, 'endDim': -1}},
          {'type': 'Linear', 'params': {'inFeatures': 784, 'outFeatures': 128, 'bias': True}},
          {'type': 'ReLU'},
          {'type': 'Linear', 'params': {'inFeatures': 128, 'outFeatures': 10, 'bias': True}}]

CNN = [{'type': 'Conv2d', 'params': {'inChannels': 1, 'outChannels': 8, 'kernelSize': 3, 'stride': 1, 'padding': 0, 'bias': True}},
       {'type': 'ReLU'},
       {'type': 'MaxPool2d', 'params': {'kernelSize': 2, 'stride': None}},
       {'type': 'Conv2d', 'params': {'inChannels': 8, 'outChannels': 16, 'kernelSize': 3, 'stride': 2, 'padding': 1, 'bias': False}},
       {'type': 'Tanh'},
       {'type': 'MaxPool2d', 'params': {'kernelSize': 3, 'stride': 1}},
       {'type': 'Flatten', 'params': {'startDim': 1, 'endDim': -1}},
       {'type': 'Linear', 'params': {'inFeatures': 400, 'outFeatures': 32, 'bias': True}},
       {'type': 'BatchNorm1d', 'params': {'numFeatures': 32, 'eps': 1e-5, 'momentum': 0.1}},
       {'type': 'Sigmoid'},
       {'type': 'Dropout', 'params': {'p': 0.25}},
       {'type': 'Linear', 'params': {'inFeatures': 32, 'outFeatures': 10, 'bias': True}},
       {'type': 'LogSoftmax', 'params': {'dim': 1}}]


# Every block added after the first release, as in packages/graph/test/graphs.ts `newBlocks`.
NEW_BLOCKS = [{'type': 'Conv2d', 'params': {'inChannels': 1, 'outChannels': 8, 'kernelSize': 3, 'stride': 1, 'padding': 1, 'bias': True}},
              {'type': 'BatchNorm2d', 'params': {'numFeatures': 8, 'eps': 0.001, 'momentum': 0.2}},
              {'type': 'LeakyReLU', 'params': {'negativeSlope': 0.2}},
              {'type': 'AvgPool2d', 'params': {'kernelSize': 3, 'stride': 2, 'padding': 1}},
              {'type': 'Dropout2d', 'params': {'p': 0.25}},
              {'type': 'Conv2d', 'params': {'inChannels': 8, 'outChannels': 16, 'kernelSize': 3, 'stride': 1, 'padding': 0, 'bias': True}},
              {'type': 'AdaptiveAvgPool2d', 'params': {'outputSize': 5}},
              {'type': 'LayerNorm', 'params': {'normalizedShape': [16, 5, 5], 'eps': 0.0001}},
              {'type': 'Flatten', 'params': {'startDim': 1, 'endDim': -1}},
              {'type': 'Linear', 'params': {'inFeatures': 400, 'outFeatures': 64, 'bias': True}},
              {'type': 'GELU', 'params': {'approximate': 'tanh'}},
              {'type': 'Linear', 'params': {'inFeatures': 64, 'outFeatures': 32, 'bias': True}},
              {'type': 'SiLU'},
              {'type': 'ELU', 'params': {'alpha': 0.5}},
              {'type': 'Identity'},
              {'type': 'Linear', 'params': {'inFeatures': 32, 'outFeatures': 10, 'bias': True}}]


class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.layers(self.flatten(x))


def describe(model):
    return {'repr': repr(model),
            'stateDict': [[k, list(v.shape), str(v.dtype).replace('torch.', '')] for k, v in model.state_dict().items()],
            'namedParameters': [k for k, _ in model.named_parameters()],
            'namedBuffers': [k for k, _ in model.named_buffers()],
            'namedModules': [k for k, _ in model.named_modules()],
            'paramCount': sum(p.numel() for p in model.parameters())}


def repr_fixtures():
    odd = nn.Sequential(nn.Dropout(0.1), nn.Dropout(1e-5), nn.Dropout(0.0), nn.Dropout(1.0),
                        nn.BatchNorm1d(3, eps=0.001, momentum=None), nn.BatchNorm1d(3, affine=False, track_running_stats=False),
                        nn.Softmax(dim=-1), nn.Flatten(0, 2), nn.Conv2d(3, 3, 1, stride=3, padding=2), nn.MaxPool2d(4, stride=3))
    return {'lesson': {'specs': LESSON, **describe(build_seq(LESSON))},
            'cnn': {'specs': CNN, **describe(build_seq(CNN)), 'inputShape': [2, 1, 28, 28],
                    'outputShape': list(build_seq(CNN).eval()(torch.zeros(2, 1, 28, 28)).shape)},
            'simpleNN': describe(SimpleNN()),
            'nested': describe(nn.Sequential(nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU())), nn.Linear(2, 1))),
            'odd': describe(odd),
            'newBlocks': {'specs': NEW_BLOCKS, **describe(build_seq(NEW_BLOCKS)), 'inputShape': [2, 1, 28, 28],
                          'outputShape': list(build_seq(NEW_BLOCKS).eval()(torch.zeros(2, 1, 28, 28)).shape)},
            'oddNew': describe(nn.Sequential(
                nn.LeakyReLU(1e-5), nn.LeakyReLU(1.0), nn.ELU(0.0), nn.ELU(2.5), nn.GELU(), nn.Dropout2d(0.0),
                nn.Dropout2d(1.0), nn.BatchNorm2d(3, eps=0.001, momentum=None),
                nn.BatchNorm2d(3, affine=False, track_running_stats=False), nn.LayerNorm(7),
                nn.LayerNorm([2, 3], eps=1e-6, elementwise_affine=False), nn.AvgPool2d(3, stride=1, padding=1),
                nn.AdaptiveAvgPool2d(7))),
            'floatRepr': [[x, repr(x)] for x in FLOATS]}


# Python's float repr, which PyTorch's printout uses for p, eps and momentum.
FLOATS = [0.5, 0.1, 0.2, 0.25, 1e-05, 1e-5 * 3, 0.0001, 0.001, 1.0, 0.0, -0.0, 2.0, 100.0, 1e16, 1.5e16, 123456789.0,
          1e-07, 0.3, 1 / 3, 2 / 3, 12345.678, -0.75, 9.999999e-05, 5e-324, 1.7976931348623157e308, 1e22, 0.1 + 0.2]


# ---------------------------------------------------------------------------------------------
# load_state_dict errors, word for word.

def load_error(model, sd, strict=True):
    try:
        r = model.load_state_dict(sd, strict=strict)
        return {'ok': True, 'missingKeys': list(r.missing_keys), 'unexpectedKeys': list(r.unexpected_keys)}
    except RuntimeError as e:
        return {'ok': False, 'message': str(e)}


def state_dict_fixtures():
    lesson = lambda: build_seq(LESSON)
    full = lesson().state_dict()
    cases = []

    def case(name, keys, model_specs=LESSON, strict=True, extra=None, reshape=None):
        sd = {k: v.clone() for k, v in full.items() if k in keys}
        for k, shape in (extra or {}).items():
            sd[k] = torch.zeros(shape)
        for k, shape in (reshape or {}).items():
            sd[k] = torch.zeros(shape)
        cases.append({'name': name, 'modelSpecs': model_specs, 'strict': strict,
                      'stateDict': {k: list(v.shape) for k, v in sd.items()},
                      'result': load_error(build_seq(model_specs), sd, strict)})

    all_keys = list(full.keys())
    case('exact', all_keys)
    case('missing one', [k for k in all_keys if k != '1.weight'])
    case('missing two', [k for k in all_keys if k not in ('1.weight', '3.bias')])
    case('unexpected', all_keys, extra={'4.weight': [3], 'extra': [1]})
    case('missing and unexpected', [k for k in all_keys if k != '3.weight'], extra={'3.weights': [10, 128], '1.foo': [2]})
    case('size mismatch', all_keys, reshape={'3.weight': [12, 128], '3.bias': [12]})
    case('size mismatch and missing', [k for k in all_keys if k != '1.bias'], reshape={'3.weight': [10, 64]})
    case('not strict', [k for k in all_keys if k != '1.weight'], strict=False, extra={'9.weight': [1]})
    case('not strict, size mismatch', all_keys, strict=False, reshape={'1.bias': [64]})
    bn = [{'type': 'Linear', 'params': {'inFeatures': 3, 'outFeatures': 4, 'bias': True}},
          {'type': 'BatchNorm1d', 'params': {'numFeatures': 4, 'eps': 1e-5, 'momentum': 0.1}}]
    bn_full = build_seq(bn).state_dict()
    for name, drop in [('batchnorm without num_batches_tracked', ['1.num_batches_tracked']),
                       ('batchnorm without running_var', ['1.running_var'])]:
        sd = {k: v.clone() for k, v in bn_full.items() if k not in drop}
        cases.append({'name': name, 'modelSpecs': bn, 'strict': True,
                      'stateDict': {k: list(v.shape) for k, v in sd.items()},
                      'result': load_error(build_seq(bn), sd)})
    bn2 = [{'type': 'Conv2d', 'params': {'inChannels': 1, 'outChannels': 3, 'kernelSize': 3, 'stride': 1, 'padding': 0, 'bias': True}},
           {'type': 'BatchNorm2d', 'params': {'numFeatures': 3, 'eps': 1e-5, 'momentum': 0.1}},
           {'type': 'LayerNorm', 'params': {'normalizedShape': [3, 4, 4], 'eps': 1e-5}}]
    bn2_full = build_seq(bn2).state_dict()
    for name, drop, reshape in [('batchnorm2d without num_batches_tracked', ['1.num_batches_tracked'], {}),
                                ('batchnorm2d and layernorm, size mismatch', [], {'2.weight': [3, 4], '1.running_mean': [4]})]:
        sd = {k: v.clone() for k, v in bn2_full.items() if k not in drop}
        for k, shape in reshape.items():
            sd[k] = torch.zeros(shape)
        cases.append({'name': name, 'modelSpecs': bn2, 'strict': True,
                      'stateDict': {k: list(v.shape) for k, v in sd.items()},
                      'result': load_error(build_seq(bn2), sd)})
    return {'cases': cases}


# ---------------------------------------------------------------------------------------------
# Safetensors written by hand (the format: u64 LE header size, JSON header, raw LE data).

DTYPES = {torch.float32: 'F32', torch.float64: 'F64', torch.float16: 'F16', torch.bfloat16: 'BF16',
          torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8',
          torch.bool: 'BOOL'}


def to_safetensors(tensors, metadata=None):
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        header['__metadata__'] = metadata
    for k, v in tensors.items():
        v = v.detach().contiguous()
        raw = v.view(torch.uint8).numpy().tobytes() if v.dtype == torch.bfloat16 else v.numpy().tobytes()
        header[k] = {'dtype': DTYPES[v.dtype], 'shape': list(v.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    return struct.pack('<Q', len(h)) + h + b''.join(chunks)


def safetensors_fixtures():
    torch.manual_seed(50)
    model = build_seq([{'type': 'Linear', 'params': {'inFeatures': 3, 'outFeatures': 2, 'bias': True}},
                       {'type': 'BatchNorm1d', 'params': {'numFeatures': 2, 'eps': 1e-5, 'momentum': 0.1}}])
    model.train()
    model(torch.randn(4, 3))  # move running stats and num_batches_tracked off their defaults
    sd = model.state_dict()
    files = {}
    for name, dtype in [('F32', torch.float32), ('F64', torch.float64), ('F16', torch.float16), ('BF16', torch.bfloat16)]:
        tensors = {k: (v.to(dtype) if v.dtype.is_floating_point else v) for k, v in sd.items()}
        files[name] = {'base64': base64.b64encode(to_safetensors(tensors, {'format': 'pt'})).decode('ascii'),
                       'expected': {k: flat(v.float() if v.dtype.is_floating_point else v) for k, v in tensors.items()}}
    ints = {'i64': torch.tensor([-3, 0, 2 ** 31 - 1], dtype=torch.int64), 'i32': torch.tensor([[1, -2], [3, 4]], dtype=torch.int32),
            'i16': torch.tensor([-300, 300], dtype=torch.int16), 'i8': torch.tensor([-7], dtype=torch.int8),
            'u8': torch.tensor([0, 255], dtype=torch.uint8), 'bool': torch.tensor([True, False, True]),
            'scalar': torch.tensor(2.5), 'empty': torch.zeros(0, 3)}
    files['mixed'] = {'base64': base64.b64encode(to_safetensors(ints)).decode('ascii'),
                      'expected': {k: flat(v.float() if v.dtype.is_floating_point else v.long()) for k, v in ints.items()}}
    return {'modelSpecs': [{'type': 'Linear', 'params': {'inFeatures': 3, 'outFeatures': 2, 'bias': True}},
                           {'type': 'BatchNorm1d', 'params': {'numFeatures': 2, 'eps': 1e-5, 'momentum': 0.1}}],
            'files': files}


if __name__ == '__main__':
    torch.set_num_threads(1)
    if torch.backends.mkl.is_available():
        print('warning: this PyTorch uses MKL, whose bernoulli_ differs; dropout mask fixtures will not match', file=sys.stderr)
    write('rng.json', rng_fixtures())
    write('forward.json', forward_fixtures())
    write('repr.json', repr_fixtures())
    write('state_dict.json', state_dict_fixtures())
    write('safetensors.json', safetensors_fixtures())
