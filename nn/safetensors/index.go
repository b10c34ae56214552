package safetensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Bounds on a model.safetensors.index.json. The index of a 12B-parameter
// model is about 100 KB with 500 tensors; the largest published indexes
// (hundreds of shards) are about 10 MB with under 100k tensors. A 60 MB
// index of 6M short entries took 1.1 GB and 24 s to read.
const (
	maxIndexBytes    = 32 << 20
	maxIndexTensors  = 1 << 18
	maxIndexMetadata = 1 << 20 // bytes of the "metadata" object
)

// indexFormat describes a valid index for error messages.
const indexFormat = `want {"metadata": {...}, "weight_map": {tensor: file}}`

// parseIndex decodes an index's weight map and metadata, streaming the
// weight map so that an oversized one is refused after maxIndexTensors
// entries instead of being built in full. Other top-level keys are ignored.
func parseIndex(raw []byte) (weightMap map[string]string, metadata map[string]any, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	invalid := func(err error) error { return fmt.Errorf("not a valid index (%s): %w", indexFormat, err) }
	if tok, err := dec.Token(); err != nil {
		return nil, nil, invalid(err)
	} else if tok != json.Delim('{') {
		return nil, nil, invalid(errors.New("not a JSON object"))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, invalid(err)
		}
		switch key := tok.(string); key {
		case "weight_map":
			if weightMap, err = parseWeightMap(dec); err != nil {
				return nil, nil, err
			}
		case "metadata":
			var rawMeta json.RawMessage
			if err := dec.Decode(&rawMeta); err != nil {
				return nil, nil, invalid(err)
			}
			if len(rawMeta) > maxIndexMetadata {
				return nil, nil, fmt.Errorf(`"metadata" is %d bytes, over the %d-byte limit`, len(rawMeta), maxIndexMetadata)
			}
			if err := json.Unmarshal(rawMeta, &metadata); err != nil {
				return nil, nil, invalid(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, nil, invalid(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, nil, invalid(err)
	}
	if weightMap == nil {
		return nil, nil, errors.New(`index has no "weight_map"`)
	}
	return weightMap, metadata, nil
}

// parseWeightMap decodes the {tensor: file} object at dec's position (null
// is no weight map, as encoding/json would read it).
func parseWeightMap(dec *json.Decoder) (map[string]string, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("not a valid index (%s): %w", indexFormat, err)
	}
	if tok == nil {
		return nil, nil
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf(`not a valid index (%s): "weight_map" is %v, not an object`, indexFormat, tok)
	}
	m := map[string]string{}
	for dec.More() {
		if len(m) == maxIndexTensors {
			return nil, fmt.Errorf(`"weight_map" lists more than %d tensors`, maxIndexTensors)
		}
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not a valid index (%s): %w", indexFormat, err)
		}
		name := tok.(string)
		tok, err = dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not a valid index (%s): %w", indexFormat, err)
		}
		file, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf(`not a valid index (%s): "weight_map" value for %q is %v, not a file name`, indexFormat, name, tok)
		}
		m[name] = file
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, fmt.Errorf("not a valid index (%s): %w", indexFormat, err)
	}
	return m, nil
}
