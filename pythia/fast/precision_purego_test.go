package fast

import (
	"encoding/gob"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor/kernel"
)

// productsEnv names the file of recorded products the child process of
// TestBF16PureGoBitIdentical replays.
const productsEnv = "DAA_FAST_BF16_PRODUCTS"

// bf16Product is one bfloat16 product of an engine pass, as traceBF16
// reports it.
type bf16Product struct {
	TransA, TransB bool
	M, N, K        int
	Alpha, Beta    float32
	A              []float32
	Lda            int
	B              []float32 // float32 B (GemmBF16), or
	BBits          []uint16  // bfloat16 B (GemmBF16B)
	Ldb, Ldc       int
	CBefore, C     []float32
}

// recordBF16Products runs SequenceLogProbs, Backward and
// NextTokenLossAndGrad of a random tiny model (the vocabulary-2500
// variant: several output chunks; and the sequential-residual ReLU one)
// on BF16 engines and returns every bfloat16 product they ran.
func recordBF16Products(t *testing.T) []bf16Product {
	var out []bf16Product
	traceBF16 = func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, bBits []uint16, ldb int, beta float32, cBefore, c []float32, ldc int) {
		out = append(out, bf16Product{transA, transB, m, n, k, alpha, beta, slices.Clone(a), lda,
			slices.Clone(b), slices.Clone(bBits), ldb, ldc, cBefore, slices.Clone(c)})
	}
	defer func() { traceBF16 = nil }()
	for i, v := range []variant{variants[5], variants[3]} {
		m32, _ := randomPair(t, v.config(), uint64(70+i))
		rng := rand.New(rand.NewPCG(8, uint64(i)))
		vocab := v.config().VocabSize
		prompts := randomIDs(rng, []int{5, 2, 7}, vocab)
		responses := randomIDs(rng, []int{6, 4, 3}, vocab)
		e, err := NewWithOptions(m32, 3, 13, Options{Precision: BF16})
		require.NoError(t, err)
		zeroGrads(m32.Params())
		e.SequenceLogProbs(prompts, responses)
		e.Backward([]float64{0.5, -1, 2})
		ids, mask := rightPadded(randomIDs(rng, []int{9, 13, 4}, vocab))
		e.NextTokenLossAndGrad(ids, mask)
	}
	return out
}

// replay runs each recorded product again on this build's kernel and
// returns how many give other bits than recorded.
func replay(products []bf16Product) (mismatches int) {
	for _, p := range products {
		c := slices.Clone(p.CBefore)
		if p.BBits != nil {
			kernel.GemmBF16B(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, p.A, p.Lda, p.BBits, p.Ldb, p.Beta, c, p.Ldc)
		} else {
			kernel.GemmBF16(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, p.A, p.Lda, p.B, p.Ldb, p.Beta, c, p.Ldc)
		}
		for i := range c {
			if math.Float32bits(c[i]) != math.Float32bits(p.C[i]) {
				mismatches++
				break
			}
		}
	}
	return mismatches
}

// TestBF16PureGoBitIdentical checks that every bfloat16 product of BF16
// engine passes (forward, backward, fused output; GemmBF16 and GemmBF16B)
// gives the same bits under the purego build tag (the portable Go model of
// the kernel, as on a CPU without AVX512_BF16) as in this build: the
// products are recorded here and replayed by a child `go test -tags
// purego`. (The engines' other kernels, float32 ones, are not bit-identical
// across builds, so whole-pass outputs are not compared.) Skipped with
// -short (it compiles the package again).
func TestBF16PureGoBitIdentical(t *testing.T) {
	if path := os.Getenv(productsEnv); path != "" { // the child
		f, err := os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		var products []bf16Product
		require.NoError(t, gob.NewDecoder(f).Decode(&products))
		fmt.Printf("replayed %d products, %d mismatches (purego %v)\n", len(products), replay(products), puregoBuild)
		return
	}
	if puregoBuild {
		t.Skip("the purego build replays the default build's products")
	}
	if testing.Short() {
		t.Skip("compiles the package with -tags purego")
	}
	products := recordBF16Products(t)
	require.Greater(t, len(products), 50)
	var sawB, sawA bool
	for _, p := range products {
		sawB, sawA = sawB || p.BBits != nil, sawA || p.B != nil
	}
	require.True(t, sawA && sawB, "both GemmBF16 and GemmBF16B products")
	require.Zero(t, replay(products), "this build's kernel is not deterministic")
	path := filepath.Join(t.TempDir(), "products.gob")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, gob.NewEncoder(f).Encode(products))
	require.NoError(t, f.Close())

	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(gobin, "test", "-tags", "purego", "-count=1", "-v", "-run", "^TestBF16PureGoBitIdentical$", ".")
	cmd.Env = append(os.Environ(), productsEnv+"="+path)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go test -tags purego: %s", out)
	m := regexp.MustCompile(`replayed (\d+) products, (\d+) mismatches \(purego (\w+)\)`).FindStringSubmatch(string(out))
	require.NotNil(t, m, "child output: %s", out)
	assert.Equal(t, fmt.Sprint(len(products)), m[1])
	assert.Equal(t, "0", m[2], "products whose bits differ under purego")
	assert.Equal(t, "true", m[3])
	t.Logf("%d bfloat16 products bit-identical under purego", len(products))
}
