#!/usr/bin/env python3
"""PyTorch interoperability fixtures for ModelGen (Generator.Tests/Serialization/PyTorchInteropTests.cs).

What it makes, in the folder of this script, for each of four PyTorch modules whose submodule names
match ModelGen's state_dict names (mlp, cnn, lstm, gru; the C# twins are Generator.Tests/Models/PyTorchModels.cs):
  <name>.safetensors     the module's state_dict as float32 safetensors (written by hand below; the
                         `safetensors` package is not needed)
  <name>.expected.json   {"model", "input_shape", "inputs", "output_shape", "outputs"}: fixed inputs
                         (a batch of 3) and PyTorch's outputs, flattened row-major, as float lists;
                         outputs are softmax probabilities where the ModelGen twin is declared with
                         Loss.SoftmaxCrossEntropy (mlp, cnn).

The modules:
  mlp   dense1 = Linear(4, 8), ReLU, dense2 = Linear(8, 3), softmax                  input [B][4]
  cnn   conv1 = Conv2d(1, 4, 3), ReLU, MaxPool2d(2), flatten, dense1 = Linear(36, 3), softmax   input [B][1][8][8]
  lstm  lstm1 = LSTM(3, 5, batch_first=True), last hidden state, dense1 = Linear(5, 2)         input [B][6][3]
  gru   gru1 = GRU(3, 4, batch_first=True), every step, dense1 = Linear(4, 2) per step        input [B][5][3]

Regenerate (deterministic: torch.manual_seed(20240611); PyTorch 1.13, Debian's python3-torch):
    cd Generator.Tests/Fixtures && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 make_fixtures.py

Check that a file saved by ModelGen (model.Save(path)) loads into the PyTorch module with
load_state_dict(strict=True) and reproduces <MODEL>.expected.json:
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 make_fixtures.py --check FILE MODEL      (MODEL: mlp, cnn, lstm, gru)
"""
import json
import os
import struct
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240611
BATCH = 3


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense1 = nn.Linear(4, 8)
        self.dense2 = nn.Linear(8, 3)

    def forward(self, x):
        return torch.softmax(self.dense2(torch.relu(self.dense1(x))), dim=-1)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.maxpool1 = nn.MaxPool2d(2)
        self.dense1 = nn.Linear(4 * 3 * 3, 3)

    def forward(self, x):
        x = self.maxpool1(torch.relu(self.conv1(x)))
        return torch.softmax(self.dense1(torch.flatten(x, 1)), dim=-1)


class LstmModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTM(3, 5, batch_first=True)
        self.dense1 = nn.Linear(5, 2)

    def forward(self, x):
        _, (h, _) = self.lstm1(x)  # h: [layers][B][5], the last step's hidden state
        return self.dense1(h[-1])


class GruModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru1 = nn.GRU(3, 4, batch_first=True)
        self.dense1 = nn.Linear(4, 2)

    def forward(self, x):
        out, _ = self.gru1(x)  # [B][steps][4]
        return self.dense1(out)  # [B][steps][2]


MODELS = {
    "mlp": (Mlp, (BATCH, 4)),
    "cnn": (Cnn, (BATCH, 1, 8, 8)),
    "lstm": (LstmModel, (BATCH, 6, 3)),
    "gru": (GruModel, (BATCH, 5, 3)),
}


def save_safetensors(path, tensors):
    """tensors: dict name -> float32 tensor, written in dict order."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().cpu().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    data = raw[8 + length:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", (name, entry["dtype"])
        begin, end = entry["data_offsets"]
        values = struct.unpack("<%df" % ((end - begin) // 4), data[begin:end])
        tensors[name] = torch.tensor(values, dtype=torch.float32).reshape(entry["shape"])
    return tensors


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def make():
    torch.manual_seed(SEED)
    for name, (cls, input_shape) in MODELS.items():
        model = cls()
        with torch.no_grad():
            for pname, p in model.named_parameters():
                # Default init, plus nonzero biases of a visible size.
                if "bias" in pname:
                    p.uniform_(-0.5, 0.5)
        model.eval()
        inputs = torch.randn(*input_shape)
        with torch.no_grad():
            outputs = model(inputs)
        save_safetensors(os.path.join(HERE, name + ".safetensors"), model.state_dict())
        expected = {
            "model": name,
            "input_shape": list(inputs.shape),
            "inputs": floats(inputs),
            "output_shape": list(outputs.shape),
            "outputs": floats(outputs),
        }
        with open(os.path.join(HERE, name + ".expected.json"), "w") as f:
            json.dump(expected, f, indent=1)
            f.write("\n")
        print("%-5s %s -> %s, %d tensors: %s" % (name, list(inputs.shape), list(outputs.shape),
                                                  len(model.state_dict()), ", ".join(model.state_dict())))


def check(path, name):
    cls, _ = MODELS[name]
    model = cls()
    result = model.load_state_dict(load_safetensors(path), strict=True)
    print("load_state_dict(strict=True):", result)
    model.eval()
    with open(os.path.join(HERE, name + ".expected.json")) as f:
        expected = json.load(f)
    inputs = torch.tensor(expected["inputs"], dtype=torch.float32).reshape(expected["input_shape"])
    with torch.no_grad():
        outputs = model(inputs)
    want = torch.tensor(expected["outputs"], dtype=torch.float32).reshape(expected["output_shape"])
    diff = (outputs - want).abs().max().item()
    print("%s: outputs %s, max |difference| from %s.expected.json = %.3g" % (name, list(outputs.shape), name, diff))
    if diff > 1e-6:
        sys.exit("MISMATCH")
    print("OK")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--check":
        check(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 1:
        make()
    else:
        sys.exit(__doc__)
