"""Writes the torchbin test checkpoints with PyTorch's own torch.save.

Run from this directory with Debian's torch (python3-torch, 1.13):
    /usr/bin/python3 gen.py
Outputs:
  state.pt         zip-format torch.save of a state dict (torch >= 1.6 default)
  legacy.pt        the same dict in the pre-1.6 non-zip format
  expected.json    for every key: dtype, shape, stride, storage offset and the
                   values as PyTorch reads them (tensor.tolist(), flattened)
"""
import collections
import json

import torch

torch.manual_seed(0)

linear = torch.nn.Linear(3, 2)
sd = linear.state_dict()  # an OrderedDict carrying a _metadata attribute, as real checkpoints do

base = torch.randn(4, 3)
sd["f32"] = base
sd["f32_transposed"] = base.t()            # non-contiguous: strides (1, 3), same storage
sd["f32_slice"] = base[1:, 1:]             # storage offset 4, strides (3, 1)
sd["f32_step"] = base[::2, ::2]            # strides (6, 2)
sd["f32_expanded"] = torch.arange(3, dtype=torch.float32).expand(2, 3)  # stride 0
sd["f16"] = torch.tensor([1.0, -2.5, 65504.0, 6e-8, 0.1], dtype=torch.float16)
sd["bf16"] = torch.randn(2, 3).to(torch.bfloat16)
sd["f64"] = torch.randn(2, 2, dtype=torch.float64)
sd["f64_col"] = sd["f64"][:, 1]            # shares the f64 storage, offset 1, stride 2
sd["i64"] = torch.tensor([-3, 0, 2**40], dtype=torch.int64)
sd["i32"] = torch.tensor([[7, -8]], dtype=torch.int32)
sd["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
sd["bool"] = torch.tensor([True, False, True])
sd["scalar"] = torch.tensor(3.25)
sd["empty"] = torch.zeros(0, 3)
sd["tied_a"] = sd["weight"]                # the same tensor under two names
sd["param"] = torch.nn.Parameter(torch.tensor([0.5, 1.5]))  # pickled via _rebuild_parameter

DTYPE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
         torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL"}

torch.save(sd, "state.pt")
torch.save(sd, "legacy.pt", _use_new_zipfile_serialization=False)

expected = collections.OrderedDict()
for name, t in sd.items():
    t = t.detach()
    flat = t.reshape(-1).tolist()
    expected[name] = {
        "dtype": DTYPE[t.dtype],
        "shape": list(t.shape),
        "stride": list(t.stride()),
        "offset": t.storage_offset(),
        "values": [float(v) for v in flat],
    }
with open("expected.json", "w") as f:
    json.dump({"generator": "gen.py, torch " + torch.__version__, "tensors": expected}, f, indent=1)
    f.write("\n")
