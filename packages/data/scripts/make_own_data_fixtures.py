"""Writes src/fixtures/ownData.json: what PyTorch 1.13 / torchvision 0.14 compute for the own-data
features of @tensorloom/data (random_split, the image transforms on PIL images, torchvision's CIFAR10
reading the archive that write_cifar10.py writes), so the TypeScript tests compare against them.

Run with Debian's PyTorch and PIL: /usr/bin/python3 scripts/make_own_data_fixtures.py [--check]
"""

import base64
import os
import sys
import tarfile
import tempfile

import numpy as np
import PIL
import torch
import torchvision
from PIL import Image
from torch.utils.data import random_split
from torchvision import transforms as T

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(PACKAGE, "..", "..", "scripts", "parity"))
sys.path.insert(0, HERE)
from fixture_file import write_or_check  # noqa: E402
from write_cifar10 import write_archive  # noqa: E402

OUT = os.path.join(PACKAGE, "src", "fixtures", "ownData.json")


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode()


def image(arr):
    return {"shape": list(arr.shape), "data": b64(arr)}


def split_cases():
    cases = []
    for n, lengths, seed in [
        (10, [3, 7], 42),
        (30, [0.3, 0.3, 0.4], 42),
        (1001, [0.8, 0.2], 0),
        (7, [0.5, 0.5], 1),
        (10, [0.1] * 10, 3),
        (5, [0.34, 0.33, 0.33], 5),
        (60000, [0.9, 0.1], 2024),
    ]:
        subsets = random_split(range(n), lengths, generator=torch.Generator().manual_seed(seed))
        cases.append({
            "n": n, "lengths": lengths, "seed": seed,
            "indices": [list(s.indices) if n <= 1001 else None for s in subsets],
            "sizes": [len(s) for s in subsets],
            "heads": [list(s.indices[:20]) for s in subsets],
            "weightedSums": [sum((i + 1) * v for i, v in enumerate(s.indices)) for s in subsets],
        })
    return cases


def test_images():
    rng = np.random.default_rng(0)
    # Smooth content plus noise, so resampling differences would show.
    y, x = np.mgrid[0:13, 0:17]
    base = (np.stack([x * 15, y * 19, (x + y) * 8], axis=-1) + rng.integers(0, 40, (13, 17, 3))).clip(0, 255)
    rgb = base.astype(np.uint8)
    gray = rng.integers(0, 256, (20, 20)).astype(np.uint8)
    return rgb, gray


def transform_cases():
    rgb, gray = test_images()
    pil_rgb = Image.fromarray(rgb, "RGB")
    pil_gray = Image.fromarray(gray, "L")
    cases = []

    def add(name, pil, transform, args):
        out = np.array(transform(pil))
        cases.append({"name": name, "input": "rgb" if pil is pil_rgb else "gray", "args": args, "output": image(out)})

    for size in ([7, 9], [10], [30, 25], [13, 17], [5, 40]):
        add("Resize", pil_rgb, T.Resize(size if len(size) == 2 else size[0]), {"size": size if len(size) == 2 else size[0]})
        add("Resize", pil_gray, T.Resize(size if len(size) == 2 else size[0]), {"size": size if len(size) == 2 else size[0]})
    for size in ([7, 9], [30, 25], [20, 3]):
        add("ResizeNearest", pil_rgb, T.Resize(size, interpolation=T.InterpolationMode.NEAREST), {"size": size})
        add("ResizeNearest", pil_gray, T.Resize(size, interpolation=T.InterpolationMode.NEAREST), {"size": size})
    for size in ([8, 8], [5, 10], [20, 20], [9, 9], [13, 16], [14, 18]):
        add("CenterCrop", pil_rgb, T.CenterCrop(size), {"size": size})
        add("CenterCrop", pil_gray, T.CenterCrop(size), {"size": size})
    add("Grayscale", pil_rgb, T.Grayscale(1), {"numOutputChannels": 1})
    add("Grayscale", pil_rgb, T.Grayscale(3), {"numOutputChannels": 3})
    add("Grayscale", pil_gray, T.Grayscale(1), {"numOutputChannels": 1})
    for angle in (10.0, -33.5, 45.7, 90.0, 180.0, 270.0, 123.25, 359.0):
        rotate = lambda im, a=angle: torchvision.transforms.functional.rotate(im, a)
        add("Rotate", pil_rgb, rotate, {"angle": angle})
        add("Rotate", pil_gray, rotate, {"angle": angle})
    return {"rgb": image(rgb), "gray": image(gray), "cases": cases}


def random_pipeline_cases():
    rgb, gray = test_images()
    out = []
    for seed, src in ((0, rgb), (42, gray)):
        pil = Image.fromarray(src)
        torch.manual_seed(seed)
        pipeline = T.Compose([T.RandomCrop(10, padding=2), T.RandomHorizontalFlip(), T.RandomRotation(20)])
        out.append({"seed": seed, "input": "rgb" if src is rgb else "gray",
                    "outputs": [image(np.array(pipeline(pil))) for _ in range(6)]})
    torch.manual_seed(7)
    angles = [T.RandomRotation.get_params([-30.0, 30.0]) for _ in range(5)]
    crops = [T.RandomCrop.get_params(torch.zeros(1, 40, 50), (32, 32)) for _ in range(5)]
    flips = [bool(torch.rand(1) < 0.3) for _ in range(20)]
    return {"pipelines": out, "seed": 7, "angles": angles, "crops": [list(c) for c in crops], "flips": flips}


def cifar_cases():
    with tempfile.TemporaryDirectory() as tmp:
        archive = os.path.join(tmp, "cifar-10-python.tar.gz")
        write_archive(archive, per_batch=12)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp)
        # torchvision checks the real archive's MD5 sums; these files are written by the script.
        torchvision.datasets.CIFAR10._check_integrity = lambda self: True
        torchvision.datasets.cifar.check_integrity = lambda *args, **kwargs: True
        out = {}
        for train in (True, False):
            ds = torchvision.datasets.CIFAR10(tmp, train=train, download=False)
            out["train" if train else "test"] = {
                "length": len(ds),
                "targets": list(ds.targets),
                "dataShape": list(ds.data.shape),
                "firstImage": image(ds.data[0]),
                "lastImage": image(ds.data[-1]),
                "pixelSum": int(ds.data.astype(np.int64).sum()),
                "weightedSum": int((ds.data.reshape(len(ds), -1).astype(np.int64).sum(1) * np.arange(1, len(ds) + 1)).sum()),
            }
        out["classes"] = ds.classes
        out["classToIdx"] = ds.class_to_idx
        return out


def main():
    fixture = {
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__, "PIL": PIL.__version__},
        "randomSplit": split_cases(),
        "transforms": transform_cases(),
        "random": random_pipeline_cases(),
        "cifar10": cifar_cases(),
    }
    write_or_check(OUT, fixture, f"torch {torch.__version__} / torchvision {torchvision.__version__} / PIL {PIL.__version__}")


if __name__ == "__main__":
    main()
