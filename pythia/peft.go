package pythia

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/tensor"
)

// The files of a PEFT adapter directory (PeftModel.save_pretrained).
const (
	AdapterConfigFile  = "adapter_config.json"
	AdapterWeightsFile = "adapter_model.safetensors"
)

// SaveAdapter writes m's adapters to dir (created if needed) as PEFT's
// save_pretrained does, for PeftModel.from_pretrained and LoadAdapter:
// adapter_config.json (peft_type LORA, task_type CAUSAL_LM, r, lora_alpha,
// lora_dropout, target_modules, use_rslora, bias "none", fan_in_fan_out
// false, base_model_name_or_path baseModel) and adapter_model.safetensors
// with every LoRAParams tensor under its PEFT name (F32 for a float32 model,
// F64 for a float64 one; metadata format "pt"). Each file is written
// atomically. It returns an error if m has no adapters, they are merged
// (PEFT saves unmerged adapters), or on any I/O error.
func (m *Model) SaveAdapter(dir, baseModel string) error {
	c, ok := m.LoRA()
	if !ok {
		return fmt.Errorf("pythia: SaveAdapter %s: the model has no adapters", dir)
	}
	if m.loraMerged() {
		return fmt.Errorf("pythia: SaveAdapter %s: the adapters are merged into the weights; UnmergeLoRA first", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pythia: %w", err)
	}
	dtype := safetensors.F32
	if m.DType() == tensor.Float64 {
		dtype = safetensors.F64
	}
	params := m.LoRAParams()
	specs := make([]safetensors.Spec, len(params))
	data := make(map[string]*tensor.Tensor, len(params))
	for i, p := range params {
		specs[i] = safetensors.Spec{Name: p.Name, DType: dtype, Shape: p.Value.Shape()}
		data[p.Name] = p.Value.Data
	}
	path := filepath.Join(dir, AdapterWeightsFile)
	err := safetensors.WriteStream(path, specs, map[string]string{"format": "pt"}, func(s safetensors.Spec, w io.Writer) error {
		t := data[s.Name]
		if dtype == safetensors.F32 {
			return safetensors.WriteFloat32(w, dtype, t.Float32s())
		}
		return writeFloat64(w, t.Float64s())
	})
	if err != nil {
		return fmt.Errorf("pythia: %w", err)
	}
	cfg, err := adapterConfigJSON(c, baseModel)
	if err != nil {
		return fmt.Errorf("pythia: %s: %w", dir, err)
	}
	return writeFileAtomic(filepath.Join(dir, AdapterConfigFile), cfg)
}

// loraMerged reports whether any adapter of m is merged.
func (m *Model) loraMerged() bool {
	return slices.ContainsFunc(m.loraSlots(), func(s loraSlot) bool { return *s.lora != nil && (*s.lora).Merged })
}

// adapterConfigJSON renders c as PEFT's adapter_config.json (keys sorted,
// two-space indent, as PEFT writes it), with PEFT's defaults for the
// features LoadAdapter refuses.
func adapterConfigJSON(c LoRAConfig, baseModel string) ([]byte, error) {
	var base any
	if baseModel != "" {
		base = baseModel
	}
	doc := map[string]any{
		"peft_type":               "LORA",
		"task_type":               "CAUSAL_LM",
		"base_model_name_or_path": base,
		"r":                       c.R,
		"lora_alpha":              c.Alpha,
		"lora_dropout":            c.Dropout,
		"target_modules":          c.Targets,
		"use_rslora":              c.RSLoRA,
		"bias":                    "none",
		"fan_in_fan_out":          false,
		"inference_mode":          true,
		"init_lora_weights":       true,
		"modules_to_save":         nil,
		"layers_to_transform":     nil,
		"layers_pattern":          nil,
		"rank_pattern":            map[string]any{},
		"alpha_pattern":           map[string]any{},
		"use_dora":                false,
		"revision":                nil,
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// adapterIgnored are adapter_config.json keys that do not change what a
// loaded adapter computes (bookkeeping, or how PEFT initialised the weights
// that the file now holds).
var adapterIgnored = []string{
	"auto_mapping", "revision", "inference_mode", "layers_pattern",
	"loftq_config", "eva_config", "corda_config", "lora_ga_config", "megatron_core",
	"runtime_config", "qalora_group_size", "peft_version",
}

// ReadAdapterConfig reads a PEFT adapter_config.json. It returns the LoRA
// configuration and base_model_name_or_path ("" when null). A feature the
// model does not implement is an error naming the file and the key:
// peft_type other than LORA, task_type other than CAUSAL_LM, bias other
// than "none", fan_in_fan_out, a target that is not one of LoRATargets or a
// regular-expression target_modules (the string "all-linear" means all four),
// and any other key set to something other than null, false, "", [] or {}
// (modules_to_save, layers_to_transform, rank_pattern, alpha_pattern,
// use_dora, ...), except keys that only record how PEFT initialised the
// weights; init_lora_weights other than true, false or "gaussian" (PiSSA,
// OLoRA, LoftQ, CorDA change the base weights too) is refused.
func ReadAdapterConfig(path string) (LoRAConfig, string, error) {
	var c LoRAConfig
	raw, err := os.ReadFile(path)
	if err != nil {
		return c, "", fmt.Errorf("pythia: %w", err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return c, "", fmt.Errorf("pythia: %s: %w", path, err)
	}
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("pythia: %s: %s: %s", path, key, fmt.Sprintf(format, args...))
	}
	var base string
	for _, key := range slices.Sorted(maps.Keys(doc)) {
		v := doc[key]
		var err error
		switch key {
		case "peft_type":
			err = wantString(v, "LORA")
		case "task_type":
			if !isEmptyJSON(v) {
				err = wantString(v, "CAUSAL_LM")
			}
		case "bias":
			err = wantString(v, "none")
		case "fan_in_fan_out":
			if !isEmptyJSON(v) {
				err = fmt.Errorf("%s is not supported (GPT-NeoX weights are [out, in])", v)
			}
		case "base_model_name_or_path":
			if !isEmptyJSON(v) {
				err = json.Unmarshal(v, &base)
			}
		case "r":
			var r float64
			if err = json.Unmarshal(v, &r); err == nil && (r != math.Trunc(r) || r > math.MaxInt32) {
				err = fmt.Errorf("%s is not an integer", v)
			}
			c.R = int(r)
		case "lora_alpha":
			err = json.Unmarshal(v, &c.Alpha)
		case "lora_dropout":
			err = json.Unmarshal(v, &c.Dropout)
		case "use_rslora":
			err = json.Unmarshal(v, &c.RSLoRA)
		case "target_modules":
			c.Targets, err = readTargets(v)
		case "init_lora_weights":
			// true, false and "gaussian" only chose the initial values the file
			// now holds; PiSSA, OLoRA, LoftQ and CorDA also rewrote the base weights.
			var s string
			if !isEmptyJSON(v) && string(bytes.TrimSpace(v)) != "true" && (json.Unmarshal(v, &s) != nil || s != "gaussian") {
				err = fmt.Errorf("%s is not supported (the adapter expects a modified base model)", bytes.TrimSpace(v))
			}
		default:
			if !slices.Contains(adapterIgnored, key) && !isEmptyJSON(v) {
				err = fmt.Errorf("%s is not supported", bytes.TrimSpace(v))
			}
		}
		if err != nil {
			return c, "", bad(key, "%v", err)
		}
	}
	for _, key := range []string{"peft_type", "r", "lora_alpha", "target_modules"} {
		if _, ok := doc[key]; !ok {
			return c, "", bad(key, "missing")
		}
	}
	if err := c.Validate(); err != nil {
		return c, "", fmt.Errorf("pythia: %s: %w", path, err)
	}
	return c, base, nil
}

// readTargets decodes target_modules: a list of module names, or the string
// "all-linear" (every linear layer but the output layer, here all four).
func readTargets(v json.RawMessage) ([]string, error) {
	if isEmptyJSON(v) {
		return nil, fmt.Errorf("%s: list the modules (any of %v)", bytes.TrimSpace(v), LoRATargets)
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		if s == "all-linear" {
			return slices.Clone(LoRATargets), nil
		}
		return nil, fmt.Errorf("regular expression %q is not supported; list the modules (any of %v)", s, LoRATargets)
	}
	var list []string
	if err := json.Unmarshal(v, &list); err != nil {
		return nil, err
	}
	// PEFT stores a set, in no particular order; keep state_dict order.
	out := make([]string, 0, len(list))
	for _, t := range LoRATargets {
		if slices.Contains(list, t) {
			out = append(out, t)
		}
	}
	for _, t := range list {
		if !slices.Contains(LoRATargets, t) {
			return nil, fmt.Errorf("module %q: GPT-NeoX adapters go on %v", t, LoRATargets)
		}
	}
	return out, nil
}

// wantString returns an error unless v is the JSON string want.
func wantString(v json.RawMessage, want string) error {
	var s string
	if json.Unmarshal(v, &s) != nil || s != want {
		return fmt.Errorf("%s is not supported (want %q)", bytes.TrimSpace(v), want)
	}
	return nil
}

// isEmptyJSON reports whether v is null, false, "", [] or {}.
func isEmptyJSON(v json.RawMessage) bool {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return false
	}
	switch x := x.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// LoadAdapter attaches the PEFT LoRA adapter in dir to m (see AttachLoRA:
// m's own parameters become constants) and fills it from
// adapter_model.safetensors, converting stored F32, F64, F16 or BF16 values
// to m's dtype (exactly, except F64 into float32, which rounds). It returns
// the base_model_name_or_path of adapter_config.json ("" when null) and an
// error, leaving m unchanged, if the configuration is refused (see
// ReadAdapterConfig), m already has adapters, or the file lacks a tensor the
// configuration implies, holds another one, or holds one of another shape
// or with a non-finite value (the error names the file, the tensor and the
// shapes).
func (m *Model) LoadAdapter(dir string) (string, error) {
	cfgPath := filepath.Join(dir, AdapterConfigFile)
	c, base, err := ReadAdapterConfig(cfgPath)
	if err != nil {
		return "", err
	}
	if m.HasLoRA() {
		return "", fmt.Errorf("pythia: LoadAdapter %s on a model that already has adapters", dir)
	}
	path := filepath.Join(dir, AdapterWeightsFile)
	f, err := safetensors.Open(path)
	if err != nil {
		return "", fmt.Errorf("pythia: %w", err)
	}
	defer f.Close()

	// Read into tensors shaped as the configuration implies before touching m.
	want := map[string]*tensor.Tensor{}
	var order []string
	for _, s := range m.loraSlots() {
		if !slices.Contains(c.Targets, s.target) {
			continue
		}
		ws := (*s.weight).Shape() // [out, in]
		a, b := peftPrefix+s.module+".lora_A.weight", peftPrefix+s.module+".lora_B.weight"
		want[a] = tensor.Zeros(m.DType(), c.R, ws[1])
		want[b] = tensor.Zeros(m.DType(), ws[0], c.R)
		order = append(order, a, b)
	}
	for _, name := range f.Names() {
		if want[name] == nil {
			return "", fmt.Errorf("pythia: %s: unexpected tensor %q (not an adapter that %s describes for this model)", path, name, cfgPath)
		}
	}
	for _, name := range order {
		t := want[name]
		info, err := f.Info(name)
		if err != nil {
			return "", fmt.Errorf("pythia: %s: missing tensor %q %v (%s has r %d on %v)", path, name, t.Shape(), cfgPath, c.R, c.Targets)
		}
		if !slices.Equal(info.Shape, t.Shape()) {
			return "", fmt.Errorf("pythia: %s: tensor %q has shape %v; want %v", path, name, info.Shape, t.Shape())
		}
		if m.DType() == tensor.Float64 {
			err = f.Float64Into(t.Float64s(), name)
		} else {
			err = f.Float32Into(t.Float32s(), name)
		}
		if err != nil {
			return "", fmt.Errorf("pythia: %w", err)
		}
		for i, v := range t.ToFloat64s() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return "", fmt.Errorf("pythia: %s: tensor %q has %v at element %d", path, name, v, i)
			}
		}
	}
	if err := m.AttachLoRA(c, 0); err != nil {
		return "", err
	}
	for _, p := range m.LoRAParams() {
		p.Value.Data.CopyFrom(want[p.Name])
	}
	return base, nil
}
