#!/usr/bin/python3
"""PyTorch peer of the ModelGen benchmark (docs/benchmarks.md, workloads W1-W6).

Runs the same workloads as Samples/ModelGen.Bench (same shapes, float32, fixed seeds, random data) on one
thread and prints one JSON object on stdout:
    {"torch": "1.13...", "threads": 1, "rows": {"W1": {"unit": "us", "median": .., "min": .., "max": ..}, ...}}
With --onnx-dir DIR it also exports the inference models to ONNX (w1_mlp.onnx, w3_lstm32.onnx,
w3_lstm128.onnx, w6_cnn.onnx) for the ONNX Runtime runner.

The C# quick mode (`dotnet run -c Release --project Samples/ModelGen.Bench -- --quick`) runs it with --serve
instead: it asks for one round at a time and alternates PyTorch's rounds with its own (see serve()). It sets
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967295;
by hand, with the same variables: /usr/bin/python3 pytorch_bench.py [--threads N] [--onnx-dir DIR] [--only W1,W4]
"""
import argparse
import contextlib
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def prepare(call, warmup_seconds=1.0, round_seconds=0.25):
    """Warms call up (at least 20 calls and warmup_seconds) and returns the number of calls that fill a round of
    about round_seconds: the same method as the C# quick mode."""
    start = time.perf_counter()
    calls = 0
    while calls < 20 or time.perf_counter() - start < warmup_seconds:
        call()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    return max(1, int(round_seconds / per_call))


def run_round(call, calls, unit):
    """One round of calls: (wall-clock, thread CPU time) per call in the unit; the CPU time (time.thread_time)
    leaves out scheduling waits."""
    scale = 1e6 if unit == "us" else 1e3
    c0 = time.thread_time()
    t0 = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - t0) / calls * scale, (time.thread_time() - c0) / calls * scale


# ---- models (same shapes as Samples/ModelGen.Bench/Models.cs) ----

class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense1 = nn.Linear(784, 128)
        self.dense2 = nn.Linear(128, 10)

    def forward(self, x):  # logits
        return self.dense2(F.relu(self.dense1(x)))


class MlpProbabilities(nn.Module):
    def __init__(self, mlp):
        super().__init__()
        self.mlp = mlp

    def forward(self, x):
        return torch.softmax(self.mlp(x), dim=-1)


class StreamingLstm(nn.Module):
    """One time step from (h, c) to (y, h', c'): input [1, 1, 1], state [1, 1, H]."""

    def __init__(self, hidden):
        super().__init__()
        self.lstm1 = nn.LSTM(1, hidden, batch_first=True)
        self.dense1 = nn.Linear(hidden, 1)

    def forward(self, x, h, c):
        out, (h1, c1) = self.lstm1(x, (h, c))
        return self.dense1(out[:, -1]), h1, c1


class LstmRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTM(1, 64, batch_first=True)
        self.dense1 = nn.Linear(64, 1)

    def forward(self, x):
        out, _ = self.lstm1(x)
        return self.dense1(out[:, -1])


class CharGru(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru1 = nn.GRU(65, 128, batch_first=True)
        self.dense1 = nn.Linear(128, 65)

    def forward(self, x):
        out, _ = self.gru1(x)
        return self.dense1(out)


class ShapesCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.dense1 = nn.Linear(2592, 64)
        self.dense2 = nn.Linear(64, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        return self.dense2(F.relu(self.dense1(torch.flatten(x, 1))))


class CnnProbabilities(nn.Module):
    def __init__(self, cnn):
        super().__init__()
        self.cnn = cnn

    def forward(self, x):
        return torch.softmax(self.cnn(x), dim=-1)


# ---- workloads ----

# Inference workloads return (call, unit, model, example inputs, input names, output names) and are timed
# inside torch.inference_mode(); training workloads return (call, unit).

def w1():
    model = MlpProbabilities(Mlp()).eval()
    x = torch.rand(1, 784) * 2 - 1

    def call():
        model(x)
    return call, "us", model, (x,), ["input"], ["probabilities"]


def w2():
    model = Mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.rand(32, 784) * 2 - 1
    y = torch.randint(0, 10, (32,))

    def call():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return call, "us"


def w3(hidden):
    model = StreamingLstm(hidden).eval()
    x = torch.full((1, 1, 1), 0.5)
    state = [torch.zeros(1, 1, hidden), torch.zeros(1, 1, hidden)]

    def call():
        _, state[0], state[1] = model(x, state[0], state[1])
    return call, "us", model, (x, torch.zeros(1, 1, hidden), torch.zeros(1, 1, hidden)), ["input", "h", "c"], ["output", "h_out", "c_out"]


def w4():
    model = LstmRegressor()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(32, 50, 1) * 2 - 1
    y = torch.rand(32, 1) * 2 - 1

    def call():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
    return call, "ms"


def w5():
    model = CharGru()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = F.one_hot(torch.randint(0, 65, (16, 64)), 65).float()
    y = torch.randint(0, 65, (16 * 64,))

    def call():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).reshape(-1, 65), y)
        loss.backward()
        opt.step()
    return call, "ms"


def w6_train():
    model = ShapesCnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(32, 1, 20, 20) * 2 - 1
    y = torch.randint(0, 3, (32,))

    def call():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return call, "ms"


def w6_infer():
    model = CnnProbabilities(ShapesCnn()).eval()
    x = torch.rand(1, 1, 20, 20) * 2 - 1

    def call():
        model(x)
    return call, "us", model, (x,), ["input"], ["probabilities"]


WORKLOADS = {
    "W1": (w1, "w1_mlp.onnx"),
    "W2": (w2, None),
    "W3-H32": (lambda: w3(32), "w3_lstm32.onnx"),
    "W3-H128": (lambda: w3(128), "w3_lstm128.onnx"),
    "W4": (w4, None),
    "W5": (w5, None),
    "W6-train": (w6_train, None),
    "W6-infer": (w6_infer, "w6_cnn.onnx"),
}


class Prepared:
    """One workload made, exported to ONNX (inference workloads, when a folder is given) and warmed up: ready to
    be timed in rounds. Inference rounds run inside torch.inference_mode() (PyTorch at its best)."""

    def __init__(self, wid, onnx_dir):
        make, onnx_name = WORKLOADS[wid]
        made = make()
        self.call, self.unit = made[0], made[1]
        self.inference = len(made) > 2
        self.onnx = None
        if onnx_dir and onnx_name:
            model, example, input_names, output_names = made[2:]
            self.onnx = os.path.join(onnx_dir, onnx_name)
            with torch.no_grad():
                torch.onnx.export(model, example, self.onnx, input_names=input_names, output_names=output_names,
                                  opset_version=13, do_constant_folding=True)
        with self.mode():
            self.calls = prepare(self.call)

    def mode(self):
        return torch.inference_mode() if self.inference else contextlib.nullcontext()

    def round(self):
        with self.mode():
            return run_round(self.call, self.calls, self.unit)


def serve(onnx_dir):
    """Rounds on request, so the C# quick mode can alternate them with its own (both systems timed in the same
    moments of a machine whose speed drifts). One command per line on stdin, one JSON reply per line on stdout:
        prepare W5  ->  {"workload": "W5", "unit": "ms", "calls": 31, "onnx": null}
        round       ->  {"wall": 28.1, "cpu": 28.0}    (per call, in the unit, for the workload last prepared)
    Anything else a library prints goes to stderr; the process ends at end of input."""
    replies = sys.stdout
    sys.stdout = sys.stderr

    def reply(obj):
        replies.write(json.dumps(obj) + "\n")
        replies.flush()

    reply({"torch": torch.__version__, "threads": torch.get_num_threads()})
    prepared = None
    for line in sys.stdin:
        command = line.split()
        try:
            if command[:1] == ["prepare"] and len(command) == 2 and command[1] in WORKLOADS:
                prepared = None  # the previous workload's model and buffers go first
                prepared = Prepared(command[1], onnx_dir)
                reply({"workload": command[1], "unit": prepared.unit, "calls": prepared.calls, "onnx": prepared.onnx})
            elif command == ["round"] and prepared is not None:
                wall, cpu = prepared.round()
                reply({"wall": wall, "cpu": cpu})
            else:
                reply({"error": f"unknown or out-of-order command: {line.strip()!r}"})
        except Exception as e:  # reported to the launcher, which drops the peer for this workload
            reply({"error": f"{type(e).__name__}: {e}"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--onnx-dir", default=None)
    parser.add_argument("--only", default=None, help="comma-separated workload ids")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--serve", action="store_true", help="time rounds on request (see serve())")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1234)
    if args.serve:
        serve(args.onnx_dir)
        return
    only = set(args.only.split(",")) if args.only else None
    rows, exported = {}, {}
    for wid in WORKLOADS:
        if only and wid not in only:
            continue
        prepared = Prepared(wid, args.onnx_dir)
        times, cpu = zip(*(prepared.round() for _ in range(args.rounds)))
        rows[wid] = {"unit": prepared.unit, "median": statistics.median(times), "min": min(times), "max": max(times),
                     "calls": prepared.calls, "cpu_median": statistics.median(cpu)}
        log(f"{wid}: {rows[wid]['median']:.2f} {prepared.unit} (min {rows[wid]['min']:.2f}, max {rows[wid]['max']:.2f})")
        if prepared.onnx:
            exported[wid] = prepared.onnx
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                 "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")},
        "rows": rows,
        "onnx": exported,
    }))


if __name__ == "__main__":
    main()
