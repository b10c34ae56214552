#!/usr/bin/python3
"""Split DIR/model.safetensors into two shards plus model.safetensors.index.json,
as Hugging Face writes sharded checkpoints. Run by gen.sh."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "shared", "reference", "torch"))
import safetensors_io as stio  # noqa: E402

d = sys.argv[1]
tensors, _, _ = stio.load_torch(os.path.join(d, "model.safetensors"))
names = sorted(tensors)
half = len(names) // 2
shards = {"model-00001-of-00002.safetensors": names[:half], "model-00002-of-00002.safetensors": names[half:]}
weight_map, total = {}, 0
for shard, part in shards.items():
    stio.save_torch(os.path.join(d, shard), {n: tensors[n] for n in part}, metadata={"format": "pt"})
    for n in part:
        weight_map[n] = shard
        total += tensors[n].numel() * tensors[n].element_size()
with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
    json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
    f.write("\n")
os.remove(os.path.join(d, "model.safetensors"))
