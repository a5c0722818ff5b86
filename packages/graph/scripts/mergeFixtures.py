"""Generates src/fixtures/mergeRules.json: what PyTorch says when a merge block joins tensors.

Run with Debian's PyTorch: /usr/bin/python3 packages/graph/scripts/mergeFixtures.py
Each case records the output shape of `a + b`, `a * b` or `torch.cat(tensors, dim)`, or the first
line of PyTorch's error message, so the merge blocks' shape rules can be checked against PyTorch.
"""
import json
import os

import torch

OPS = {
    'Add': lambda ts, p: ts[0] + ts[1],
    'Mul': lambda ts, p: ts[0] * ts[1],
    'Concat': lambda ts, p: torch.cat(ts, dim=p['dim']),
}

CASES = [
    ('Add', {}, [[64, 128], [64, 128]]),
    ('Add', {}, [[64, 128], [64, 64]]),
    ('Add', {}, [[64, 32, 7, 7], [64, 16, 7, 7]]),
    ('Add', {}, [[64, 1568], [64, 32, 7, 7]]),
    ('Add', {}, [[64, 10], [64, 1]]),
    ('Add', {}, [[64, 10], [10]]),
    ('Add', {}, [[64, 16, 14, 14], [64, 16, 7, 7]]),
    ('Mul', {}, [[64, 128], [64, 128]]),
    ('Mul', {}, [[64, 128], [64, 64]]),
    ('Mul', {}, [[64, 8, 1, 1], [64, 8, 14, 14]]),
    ('Concat', {'dim': 1}, [[64, 128], [64, 64]]),
    ('Concat', {'dim': 1}, [[64, 128], [64, 64], [64, 10]]),
    ('Concat', {'dim': -1}, [[64, 128], [64, 64]]),
    ('Concat', {'dim': 0}, [[64, 128], [64, 128]]),
    ('Concat', {'dim': 1}, [[64, 3, 28, 28], [64, 5, 28, 28]]),
    ('Concat', {'dim': 1}, [[64, 3, 28, 28], [64, 3, 14, 14]]),
    ('Concat', {'dim': -3}, [[64, 3, 28, 28], [64, 3, 14, 28]]),
    ('Concat', {'dim': 1}, [[64, 3, 28, 28], [64, 784]]),
    ('Concat', {'dim': 1}, [[64, 128], [32, 64]]),
    ('Concat', {'dim': 1}, [[64, 128], [64, 64], [32, 5]]),
    ('Concat', {'dim': 2}, [[64, 128], [64, 64]]),
    ('Concat', {'dim': -3}, [[64, 128], [64, 64]]),
    ('Concat', {'dim': 0}, [[64, 128], [64, 64]]),
    ('Concat', {'dim': 2}, [[64, 8, 7, 7], [64, 8, 7, 7]]),
]


def main():
    cases = []
    for op, params, shapes in CASES:
        case = {'type': op, 'params': params, 'inputs': shapes}
        try:
            out = OPS[op]([torch.zeros(*s) for s in shapes], params)
            case['shape'] = list(out.shape)
        except (RuntimeError, IndexError) as e:
            case['error'] = str(e).split('\n')[0]
        cases.append(case)
    out = os.path.join(os.path.dirname(__file__), '..', 'src', 'fixtures', 'mergeRules.json')
    with open(out, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': cases}, f, indent=1)
        f.write('\n')
    print(f'wrote {len(cases)} cases to {os.path.normpath(out)}')


if __name__ == '__main__':
    main()
