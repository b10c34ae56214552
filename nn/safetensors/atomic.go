package safetensors

import (
	"fmt"
	"io"

	"github.com/daalab/daa/internal/atomicfile"
)

// writeAtomic creates path with the bytes fill writes, atomically (see
// internal/atomicfile): readers see either the old file or the complete new
// one.
func writeAtomic(path string, fill func(w io.Writer) error) error {
	if err := atomicfile.Write(path, fill); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}
