"""Writes a small CIFAR-10 in the exact format of the official cifar-10-python.tar.gz: a gzip tar
holding cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta, readme.html}, each batch a
Python 2 cPickle (protocol 2) of {'data': numpy uint8 array [N, 3072] (1024 red, 1024 green, 1024 blue
values per image, rows of 32), 'labels': [N ints], 'batch_label': str, 'filenames': [str]}, emitted
opcode by opcode as Python 2's cPickle wrote them (SHORT_BINSTRING keys, numpy's _reconstruct and a
BINSTRING of the pixels). The real archive is not reachable from the machines this is tested on, so
the @tensorloom/data tests read what this writes; torchvision's CIFAR10 reads it too
(make_own_data_fixtures.py records what it reads).

    /usr/bin/python3 scripts/write_cifar10.py OUT.tar.gz [--per-batch 12] [--protocol 2|4|5]

--protocol 4 or 5 writes the batches with Python 3's pickle instead (as a user re-saving them would).
"""

import io
import os
import pickle
import struct
import sys
import tarfile

import numpy as np

LABEL_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


class Py2Pickler:
    """Emits protocol-2 opcodes the way Python 2's cPickle did for dicts, lists, str, int and numpy."""

    def __init__(self):
        self.out = io.BytesIO()
        self.memo = 0

    def w(self, b):
        self.out.write(b)

    def put(self):
        self.memo += 1
        self.w(b"q" + bytes([self.memo]) if self.memo < 256 else b"r" + struct.pack("<I", self.memo))

    def int_(self, v):
        if 0 <= v < 256:
            self.w(b"K" + bytes([v]))
        elif 0 <= v < 65536:
            self.w(b"M" + struct.pack("<H", v))
        else:
            self.w(b"J" + struct.pack("<i", v))

    def str_(self, s, memo=True):
        b = s.encode("latin1") if isinstance(s, str) else s
        self.w((b"U" + bytes([len(b)])) if len(b) < 256 else (b"T" + struct.pack("<i", len(b))))
        self.w(b)
        if memo:
            self.put()

    def global_(self, module, name):
        self.w(b"c" + module.encode() + b"\n" + name.encode() + b"\n")
        self.put()

    def ndarray(self, a):
        self.global_("numpy.core.multiarray", "_reconstruct")
        self.global_("numpy", "ndarray")
        self.w(b"K\x00\x85")
        self.str_("b", memo=False)
        self.w(b"\x87R")
        self.put()
        self.w(b"(K\x01")
        for d in a.shape:
            self.int_(d)
        self.w(b"\x86")
        self.global_("numpy", "dtype")
        self.str_("u1", memo=False)
        self.w(b"K\x00K\x01\x87R")
        self.put()
        self.w(b"(K\x03")
        self.str_("|", memo=False)
        self.w(b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89")
        self.str_(a.tobytes(), memo=False)
        self.w(b"tb")

    def list_(self, items, emit):
        self.w(b"]")
        self.put()
        for start in range(0, len(items), 1000):
            chunk = items[start:start + 1000]
            if len(chunk) == 1:
                emit(chunk[0])
                self.w(b"a")
                continue
            self.w(b"(")
            for item in chunk:
                emit(item)
            self.w(b"e")

    def value(self, v):
        if isinstance(v, np.ndarray):
            self.ndarray(v)
        elif isinstance(v, list):
            self.list_(v, self.value)
        elif isinstance(v, int):
            self.int_(v)
        else:
            self.str_(v)

    def dump(self, d):
        self.w(b"\x80\x02}")
        self.put()
        self.w(b"(")
        for k, v in d.items():
            self.str_(k)
            self.value(v)
        self.w(b"u.")
        return self.out.getvalue()


def batch(name, seed, n):
    rng = np.random.default_rng(seed)
    labels = [int(v) for v in rng.integers(0, 10, n)]
    y, x = np.mgrid[0:32, 0:32]
    images = []
    for i, label in enumerate(labels):
        r = (x * 7 + label * 20 + i) % 256
        g = (y * 5 + seed * 3) % 256
        b = ((x + y) * 3 + rng.integers(0, 30, (32, 32))) % 256
        images.append(np.stack([r, g, b]).astype(np.uint8).reshape(3072))
    return {
        "data": np.stack(images),
        "labels": labels,
        "batch_label": name,
        "filenames": [f"{LABEL_NAMES[l]}_s_{seed * 1000 + i:06d}.png" for i, l in enumerate(labels)],
    }


def encode(d, protocol):
    if protocol == 2:
        return Py2Pickler().dump(d)
    return pickle.dumps(d, protocol=protocol)


def write_archive(path, per_batch=12, protocol=2):
    files = {}
    for k in range(1, 6):
        files[f"data_batch_{k}"] = encode(batch(f"training batch {k} of 5", k, per_batch), protocol)
    files["test_batch"] = encode(batch("testing batch 1 of 1", 0, per_batch), protocol)
    files["batches.meta"] = encode({"num_cases_per_batch": per_batch, "label_names": LABEL_NAMES, "num_vis": 3072}, protocol)
    files["readme.html"] = b"<meta HTTP-EQUIV='REFRESH' content='0; url=http://www.cs.toronto.edu/~kriz/cifar.html'>\n"
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo("cifar-10-batches-py")
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        tar.addfile(info)
        for name, data in files.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    args = sys.argv[1:]
    per_batch = int(args[args.index("--per-batch") + 1]) if "--per-batch" in args else 12
    protocol = int(args[args.index("--protocol") + 1]) if "--protocol" in args else 2
    write_archive(args[0], per_batch, protocol)
    print(f"wrote {args[0]} ({os.path.getsize(args[0])} bytes)")
