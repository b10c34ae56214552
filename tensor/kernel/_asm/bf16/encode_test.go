package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEncodingMatchesGNUAs assembles, with GNU as, every instruction the
// generator emits as bytes plus every register combination of both
// mnemonics, and compares the machine code with encode. It is skipped,
// saying so, when as or objcopy (binutils) is not installed.
func TestEncodingMatchesGNUAs(t *testing.T) {
	as, err1 := exec.LookPath("as")
	objcopy, err2 := exec.LookPath("objcopy")
	if err1 != nil || err2 != nil {
		t.Skip("GNU as/objcopy not found (apt-get install binutils): encodings not checked")
	}
	emitted = nil
	generate()
	require.NotEmpty(t, emitted, "the generator emitted no byte-encoded instruction")
	instrs := append([]evexInstr(nil), emitted...)
	for m := range evexOpcodes {
		for d := 0; d < 32; d++ {
			for s1 := 0; s1 < 32; s1++ {
				for s2 := 0; s2 < 32; s2 += 7 {
					instrs = append(instrs, evexInstr{m, d, s1, s2}, evexInstr{m, d, s1, 31 - s2})
				}
			}
		}
	}
	var src strings.Builder
	var want []byte
	for _, e := range instrs {
		// AT&T operand order: second source, first source, destination.
		fmt.Fprintf(&src, "\t%s %%zmm%d, %%zmm%d, %%zmm%d\n", e.mnemonic, e.src2, e.src1, e.dst)
		want = append(want, e.encode()...)
	}
	dir := t.TempDir()
	asm, obj, bin := filepath.Join(dir, "x.s"), filepath.Join(dir, "x.o"), filepath.Join(dir, "x.bin")
	require.NoError(t, os.WriteFile(asm, []byte(".text\n"+src.String()), 0o644))
	out, err := exec.Command(as, "--64", "-o", obj, asm).CombinedOutput()
	require.NoError(t, err, "as:\n%s", out)
	out, err = exec.Command(objcopy, "-O", "binary", "--only-section=.text", obj, bin).CombinedOutput()
	require.NoError(t, err, "objcopy:\n%s", out)
	got, err := os.ReadFile(bin)
	require.NoError(t, err)
	require.Len(t, got, len(want), "as produced %d bytes for %d instructions", len(got), len(instrs))
	for i, e := range instrs {
		g, w := got[6*i:6*i+6], want[6*i:6*i+6]
		require.Equal(t, w, g, "%s zmm%d, zmm%d, zmm%d: encode gives % x, as gives % x", e.mnemonic, e.dst, e.src1, e.src2, w, g)
	}
	t.Logf("%d instructions (%d emitted by the generator) match GNU as", len(instrs), len(emitted))
}
