"""Writes src/fixtures/torch.json: what torch.Generator draws for the seeds the @tensorloom/random
tests use, so the TypeScript tests compare against PyTorch itself.

Run with Debian's PyTorch (torch 1.13, no MKL): /usr/bin/python3 scripts/make_fixtures.py [--check]
--check regenerates into memory and fails if the committed file differs (test:interop).
"""

import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "src", "fixtures", "torch.json")
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts", "parity"))
from fixture_file import write_or_check  # noqa: E402


def gen(seed):
    return torch.Generator().manual_seed(seed)


def floats(t):
    return t.double().tolist()


def fixture():
    randperm = []
    for seed, n in [(0, 1), (0, 2), (42, 10), (42, 100), (7, 1000), (2**40 + 3, 17)]:
        g = gen(seed)
        first = torch.randperm(n, generator=g).tolist()
        second = torch.randperm(n, generator=g).tolist()
        randperm.append({"seed": seed, "n": n, "first": first, "second": second})
    int64 = []
    for seed in [0, 42]:
        g = gen(seed)
        values = [torch.empty((), dtype=torch.int64).random_(generator=g).item() for _ in range(3)]
        int64.append({"seed": seed, "values": [str(v) for v in values]})
    uniform32 = []
    for seed, n, lo, hi, skip in [(0, 10, 0, 1, 0), (123456789012345, 6, -2, 3, 0), (-1, 4, 0, 1, 0), (5, 700, 0, 1, 690)]:
        values = torch.empty(n).uniform_(lo, hi, generator=gen(seed))[skip:]
        uniform32.append({"seed": str(seed), "n": n, "from": lo, "to": hi, "skip": skip, "values": floats(values)})
    uniform64 = []
    for seed in [0, 9]:
        values = torch.empty(5, dtype=torch.float64).uniform_(0, 1, generator=gen(seed))
        uniform64.append({"seed": seed, "values": values.tolist()})
    bernoulli = []
    for seed, p in [(9, 0.7), (3, 0.5)]:
        values = torch.empty(50).bernoulli_(p, generator=gen(seed))
        bernoulli.append({"seed": seed, "p": p, "values": [int(v) for v in values.tolist()]})
    return {
        "versions": {"torch": torch.__version__, "mkl": torch.backends.mkl.is_available()},
        "defaultSeed": torch.Generator().initial_seed(),
        "randperm": randperm,
        "int64": int64,
        "uniform32": uniform32,
        "uniform64": uniform64,
        "bernoulli": bernoulli,
    }


def main():
    write_or_check(OUT, fixture(), f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
