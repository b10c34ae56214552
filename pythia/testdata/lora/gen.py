#!/usr/bin/python3
"""Golden data for pythia's LoRA: a tiny GPT-NeoX checkpoint, two PEFT adapter
directories and the adapted model's outputs, computed with the independent
PyTorch GPT-NeoX reference (neox_ref.py, imported from $DAA_SHARED/reference/torch,
default ../shared relative to the repository root) with B A x added to the
adapted projections in plain torch, as PEFT's lora.Linear does in eval mode:

    y = base(x) + scaling * lora_B(lora_A(x)),  scaling = lora_alpha/r  (use_rslora: lora_alpha/sqrt(r))

Run from the repository root (Debian python3-torch 1.13):
    /usr/bin/python3 pythia/testdata/lora/gen.py

writes pythia/testdata/lora/
  model/                 config.json, model.safetensors (neox_ref make-tiny, seed 21, F32)
  <name>/                adapter_config.json and adapter_model.safetensors as PEFT's
                         save_pretrained writes them: keys
                         base_model.model.gpt_neox.layers.N.<module>.lora_A.weight [r, in]
                         and ...lora_B.weight [out, r], F32
  expected-<name>.safetensors (F64, ids I64):
      input_ids, attention_mask [B, T]
      base_logits  [B, T, V]  the model without adapters
      logits       [B, T, V]  with the adapter
      loss         []         mean next-token cross-entropy over targets whose mask is 1
      grad.<adapter key>      d loss / d lora_A|lora_B
Everything is computed in float64 with float64 rotary tables. A is drawn as PEFT
draws it (kaiming_uniform_ with a = sqrt(5)); B, which PEFT starts at zero, is
normal(0, 0.2) so that the adapters change the outputs.
"""
import json
import math
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SHARED = os.environ.get("DAA_SHARED", os.path.join(REPO, "..", "shared"))
sys.path.insert(0, os.path.join(SHARED, "reference", "torch"))
import neox_ref as nr  # noqa: E402
import safetensors_io as stio  # noqa: E402

f64 = torch.float64
IDS = [[3, 17, 42, 5, 9, 33, 1], [40, 2, 2, 19, 47, 8, 30]]
MASK = [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0]]
MODULES = {  # target_modules name -> (module path in a layer)
    "query_key_value": "attention.query_key_value",
    "dense": "attention.dense",
    "dense_h_to_4h": "mlp.dense_h_to_4h",
    "dense_4h_to_h": "mlp.dense_4h_to_h",
}
ADAPTERS = {
    # name: r, lora_alpha, use_rslora, lora_dropout (off in eval), target_modules, seed
    "all": (4, 8, False, 0.1, ["query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"], 31),
    "rslora": (2, 4, True, 0.0, ["dense_4h_to_h", "query_key_value"], 32),
}


class LoRALinear(torch.nn.Module):
    """base(x) + scaling * (x A^T) B^T, the eval-mode forward of PEFT's lora.Linear."""

    def __init__(self, base, A, B, scaling):
        super().__init__()
        self.base, self.A, self.B, self.scaling = base, A, B, scaling

    def forward(self, x):
        return self.base(x) + (x @ self.A.t()) @ self.B.t() * self.scaling


def peft_config(r, alpha, rslora, dropout, targets):
    """adapter_config.json as PEFT (0.17) writes it for a LoraConfig with these fields."""
    return {
        "alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": "pythia/testdata/lora/model",
        "bias": "none", "corda_config": None, "eva_config": None, "exclude_modules": None,
        "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True,
        "layer_replication": None, "layers_pattern": None, "layers_to_transform": None,
        "loftq_config": {}, "lora_alpha": alpha, "lora_bias": False, "lora_dropout": dropout,
        "megatron_config": None, "megatron_core": "megatron.core", "modules_to_save": None,
        "peft_type": "LORA", "qalora_group_size": 16, "r": r, "rank_pattern": {}, "revision": None,
        "target_modules": targets, "target_parameters": None, "task_type": "CAUSAL_LM",
        "trainable_token_indices": None, "use_dora": False, "use_qalora": False, "use_rslora": rslora,
    }


def main():
    model_dir = os.path.join(HERE, "model")
    shutil.rmtree(model_dir, ignore_errors=True)
    nr.main(["make-tiny", model_dir, "--seed", "21", "--layers", "2", "--hidden", "16", "--heads", "2",
             "--vocab", "48", "--inter", "24", "--max-pos", "64", "--rotary-pct", "0.5"])
    ids, mask = torch.tensor(IDS), torch.tensor(MASK)
    for name, (r, alpha, rslora, dropout, targets, seed) in ADAPTERS.items():
        m = nr.load_model(model_dir, f64, rope_dtype=f64)
        for p in m.parameters():
            p.requires_grad_(False)
        base_logits = m(ids, attention_mask=mask).detach()
        torch.manual_seed(seed)
        weights, params = {}, {}
        for i, layer in enumerate(m.gpt_neox.layers):
            for t in sorted(targets, key=list(MODULES).index):
                owner_name, attr = MODULES[t].split(".")
                owner = getattr(layer, owner_name)
                base = getattr(owner, attr)
                A = torch.empty(r, base.in_features, dtype=torch.float32)
                torch.nn.init.kaiming_uniform_(A, a=math.sqrt(5))  # PEFT's reset_lora_parameters
                B = 0.2 * torch.randn(base.out_features, r, dtype=torch.float32)
                key = f"base_model.model.gpt_neox.layers.{i}.{MODULES[t]}"
                weights[key + ".lora_A.weight"], weights[key + ".lora_B.weight"] = A, B
                A64, B64 = A.to(f64).requires_grad_(True), B.to(f64).requires_grad_(True)
                params[key + ".lora_A.weight"], params[key + ".lora_B.weight"] = A64, B64
                scaling = alpha / math.sqrt(r) if rslora else alpha / r
                setattr(owner, attr, LoRALinear(base, A64, B64, scaling))
        logits = m(ids, attention_mask=mask)
        lp = torch.log_softmax(logits[:, :-1], -1).gather(-1, ids[:, 1:, None])[..., 0]
        loss = -lp[mask[:, 1:].bool()].mean()
        loss.backward()

        out_dir = os.path.join(HERE, name)
        shutil.rmtree(out_dir, ignore_errors=True)
        os.makedirs(out_dir)
        with open(os.path.join(out_dir, "adapter_config.json"), "w") as f:
            json.dump(peft_config(r, alpha, rslora, dropout, targets), f, indent=2, sort_keys=True)
            f.write("\n")
        stio.save_torch(os.path.join(out_dir, "adapter_model.safetensors"), weights, metadata={"format": "pt"})
        out = {"input_ids": ids, "attention_mask": mask, "base_logits": base_logits,
               "logits": logits.detach(), "loss": loss.detach()}
        for k, p in params.items():
            out["grad." + k] = p.grad
        stio.save_torch(os.path.join(HERE, f"expected-{name}.safetensors"),
                        {k: (v.to(f64) if v.is_floating_point() else v) for k, v in out.items()},
                        metadata={"generator": "pythia/testdata/lora/gen.py"})
        print(name, "loss", float(loss), "max |logits - base|", float((logits - base_logits).abs().max()))


if __name__ == "__main__":
    main()
