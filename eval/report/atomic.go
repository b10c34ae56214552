package report

import (
	"fmt"

	"github.com/daalab/daa/internal/atomicfile"
)

// writeFileAtomic writes data to path atomically (see internal/atomicfile),
// so readers never see a partial file.
func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
