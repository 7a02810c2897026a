// The Python file written beside an exported state dict: it builds the torch.nn.Sequential (the
// module list of sequential.ts, literally), reads and writes safetensors without the safetensors
// package (torch 1.13 and numpy suffice), and wraps the Sequential in fastmlp's input and target
// scaling so that load()(x) is what net.predict(x) gives. Its text depends on the model only.

/** The generated module, for the state dict in the file named `weights` (a name beside it). */
export function pythonSource(modules: readonly string[], weights: string): string {
  return `# The fastmlp network of ${JSON.stringify(weights)} as a torch.nn.Sequential, written by
# net.export(path, { format: 'pytorch' }). load() returns it wrapped in the network's input and
# target scaling, so load()(x) equals net.predict(x); build() is the bare Sequential, whose
# state_dict keys and shapes are the file's; save() writes one back for Network.importPyTorch.
# Needs torch and numpy only (no safetensors package).
import json
import os
import struct

import numpy as np
import torch
from torch import nn

WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), ${JSON.stringify(weights)})


def build():
    """The network's modules, with fresh weights."""
    return nn.Sequential(
${modules.map((m) => `        nn.${m},`).join('\n')}
    )


_DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2"}


def read_safetensors(path):
    """({name: float32 tensor}, metadata) of a safetensors file: 8-byte header size, JSON, data."""
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name!r} has dtype {entry['dtype']}; expected one of {list(_DTYPES)}")
        dtype = np.dtype(_DTYPES[entry["dtype"]])
        begin, end = entry["data_offsets"]
        values = np.frombuffer(data, dtype, (end - begin) // dtype.itemsize, 8 + size + begin)
        tensors[name] = torch.from_numpy(values.astype(np.float32).reshape(entry["shape"]))
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """{name: tensor} as a float32 safetensors file (names sorted, header padded to 8 bytes)."""
    header = {"__metadata__": dict(metadata)} if metadata else {}
    chunks, offset = [], 0
    for name in sorted(tensors):
        values = tensors[name].detach().cpu().to(torch.float32).contiguous().numpy().astype("<f4")
        header[name] = {"dtype": "F32", "shape": list(values.shape), "data_offsets": [offset, offset + values.nbytes]}
        chunks.append(values.tobytes())
        offset += values.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


class Scaled(nn.Module):
    """fastmlp's predict: net((x - input mean) / input std) * target std + target mean."""

    def __init__(self, net, metadata):
        super().__init__()
        self.net = net
        self.metadata = dict(metadata)
        for key, prefix in (("inputScaling", "input"), ("targetScaling", "target")):
            scaling = json.loads(metadata.get(key, "null"))
            for field in ("mean", "std"):
                value = None if scaling is None else torch.tensor(scaling[field], dtype=torch.float32)
                self.register_buffer(f"{prefix}_{field}", value, persistent=False)

    def forward(self, x):
        if self.input_mean is not None:
            x = (x - self.input_mean) / self.input_std
        y = self.net(x)
        if self.target_mean is not None:
            y = y * self.target_std + self.target_mean
        return y


def load(path=WEIGHTS):
    """The network with the file's weights (every key and shape checked), in eval mode."""
    tensors, metadata = read_safetensors(path)
    net = build()
    net.load_state_dict(tensors)
    return Scaled(net, metadata).eval()


def save(model, path):
    """A load()ed model (trained or not) back as a state dict for Network.importPyTorch, metadata kept."""
    write_safetensors(path, model.net.state_dict(), model.metadata)


if __name__ == "__main__":
    print(load())
`;
}
