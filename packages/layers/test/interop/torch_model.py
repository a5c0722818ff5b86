#!/usr/bin/python3
"""PyTorch side of the @tensorloom/layers interop test (safetensors parsed by hand: no safetensors package).

  torch_model.py load <spec.json> <images.f32> <weights.safetensors> <logits.f32>
      builds the model described by spec.json, loads the weights (strict), writes eval-mode logits.
  torch_model.py save <spec.json> <images.f32> <weights.safetensors> <logits.f32> <seed>
      builds and briefly trains the model with torch.manual_seed(seed), saves its state_dict as
      safetensors (F32, num_batches_tracked as I64), writes eval-mode logits.

spec.json: {"className": str, "flatten": bool, "layers": [{"type": ..., "params": {...}}], "n": images},
or {"script": exported.py, "n": images} for the SimpleNN class of a script toPyTorch exported.
Prints a JSON line describing what it did; exits 1 with a message on any mismatch.
"""
import json
import struct
import sys

import torch
import torch.nn as nn

DTYPES = {'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16,
          'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8,
          'BOOL': torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    data = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop('__metadata__', None)
    out = {}
    for key, e in header.items():
        begin, end = e['data_offsets']
        raw = bytearray(data[8 + n + begin:8 + n + end])
        t = torch.frombuffer(raw, dtype=DTYPES[e['dtype']]) if raw else torch.empty(0, dtype=DTYPES[e['dtype']])
        out[key] = t.reshape(e['shape']).clone()
    return out, metadata


def write_safetensors(path, tensors, metadata):
    header, chunks, offset = {'__metadata__': metadata}, [], 0
    for key, t in tensors.items():
        raw = t.detach().contiguous().numpy().tobytes()
        header[key] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(chunks))


def build_layer(t, p):
    # Float arguments as floats: JSON writes 1.0 as 1, and ELU(alpha=1) prints differently.
    if t == 'Flatten':
        return nn.Flatten(p['startDim'], p['endDim'])
    if t == 'Linear':
        return nn.Linear(p['inFeatures'], p['outFeatures'], bias=p['bias'])
    if t == 'Conv2d':
        return nn.Conv2d(p['inChannels'], p['outChannels'], p['kernelSize'], stride=p['stride'], padding=p['padding'], bias=p['bias'])
    if t == 'MaxPool2d':
        return nn.MaxPool2d(p['kernelSize'], stride=p['stride'])
    if t == 'Dropout':
        return nn.Dropout(p['p'])
    if t == 'BatchNorm1d':
        return nn.BatchNorm1d(p['numFeatures'], eps=p['eps'], momentum=p['momentum'])
    if t == 'BatchNorm2d':
        return nn.BatchNorm2d(p['numFeatures'], eps=float(p['eps']), momentum=float(p['momentum']))
    if t == 'LayerNorm':
        return nn.LayerNorm(p['normalizedShape'], eps=float(p['eps']))
    if t == 'AvgPool2d':
        return nn.AvgPool2d(p['kernelSize'], stride=p['stride'], padding=p['padding'])
    if t == 'AdaptiveAvgPool2d':
        return nn.AdaptiveAvgPool2d(p['outputSize'])
    if t == 'Dropout2d':
        return nn.Dropout2d(float(p['p']))
    if t == 'LeakyReLU':
        return nn.LeakyReLU(float(p['negativeSlope']))
    if t == 'ELU':
        return nn.ELU(float(p['alpha']))
    if t == 'GELU':
        return nn.GELU(approximate=p['approximate'])
    if t in ('ReLU', 'Sigmoid', 'Tanh', 'SiLU', 'Identity'):
        return getattr(nn, t)()
    if t in ('Softmax', 'LogSoftmax'):
        return getattr(nn, t)(dim=p['dim'])
    raise ValueError(t)


def build(spec):
    if 'script' in spec:
        # A network with branches: the class of the script toPyTorch exported (main() not run).
        import importlib.util
        loader = importlib.util.spec_from_file_location('exported', spec['script'])
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
        return module.SimpleNN()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            if spec['flatten']:
                self.flatten = nn.Flatten()
            self.layers = nn.Sequential(*[build_layer(l['type'], l['params']) for l in spec['layers']])

        def forward(self, x):
            return self.layers(self.flatten(x) if spec['flatten'] else x)

    Net.__name__ = spec['className']
    return Net()


def main():
    mode, spec_path, images_path, weights_path, logits_path = sys.argv[1:6]
    spec = json.load(open(spec_path))
    n = spec['n']
    images = torch.frombuffer(bytearray(open(images_path, 'rb').read()), dtype=torch.float32).reshape(n, 1, 28, 28)
    model = build(spec)
    info = {'repr': repr(model)}
    if mode == 'load':
        state, metadata = read_safetensors(weights_path)
        expected = model.state_dict()
        wrong = [f'{k}: {state[k].dtype} vs {v.dtype}' for k, v in expected.items() if k in state and state[k].dtype != v.dtype]
        if wrong:
            sys.exit('dtype mismatch: ' + '; '.join(wrong))
        model.load_state_dict(state, strict=True)
        info['metadata'] = metadata
    else:
        torch.manual_seed(int(sys.argv[6]))
        model = build(spec)
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        model.train()
        for step in range(3):
            x = images[step * 16:(step + 1) * 16]
            loss = model(x).logsumexp(dim=1).mean()  # any differentiable objective moves the weights
            opt.zero_grad()
            loss.backward()
            opt.step()
        write_safetensors(weights_path, model.state_dict(), {'format': 'pt', 'source': 'torch ' + torch.__version__})
    model.eval()
    with torch.no_grad():
        logits = model(images)
    open(logits_path, 'wb').write(logits.contiguous().numpy().tobytes())
    info['logitsShape'] = list(logits.shape)
    info['stateDict'] = {k: [list(v.shape), str(v.dtype)] for k, v in model.state_dict().items()}
    print(json.dumps(info))


if __name__ == '__main__':
    main()
