package probe

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/eval/judge"
	"github.com/daalab/daa/internal/torchbin"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/tokenizer"
	"github.com/daalab/daa/tensor"
	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"
)

// tinyConfig is a valid GPT-NeoX config.json of a tiny model.
const tinyConfig = `{"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 2, "intermediate_size": 12, "vocab_size": 10, "rotary_pct": 0.5}`

// sizes returns a config.json with the given size keys (4 heads, Pythia's
// other defaults).
func sizes(hidden, heads, layers, inter, vocab int64) string {
	return fmt.Sprintf(`{"hidden_size": %d, "num_attention_heads": %d, "num_hidden_layers": %d, "intermediate_size": %d, "vocab_size": %d}`,
		hidden, heads, layers, inter, vocab)
}

func write(t *testing.T, path string, content []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, content, 0o644))
}

func fifo(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, syscall.Mkfifo(path, 0o644))
}

// checkpoint saves a tiny random model into dir; edit (if any) changes its
// tensors before they are written as model.safetensors.
func checkpoint(t *testing.T, dir string, edit func(name string, v []float32)) {
	t.Helper()
	cfg, err := pythia.ParseConfig([]byte(tinyConfig), "tiny")
	require.NoError(t, err)
	m, err := pythia.NewRandom(cfg, tensor.Float32, 1)
	require.NoError(t, err)
	require.NoError(t, m.Save(dir))
	if edit == nil {
		return
	}
	var ts []safetensors.Tensor
	for _, p := range m.Params() {
		v := p.Value.Data.ToFloat32s()
		edit(p.Name, v)
		ts = append(ts, safetensors.Float32Tensor(p.Name, p.Value.Shape(), v))
	}
	require.NoError(t, safetensors.Write(filepath.Join(dir, "model.safetensors"), ts, nil))
}

// withConfig writes a tiny checkpoint and then replaces its config.json.
func withConfig(cfg string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		checkpoint(t, dir, nil)
		write(t, filepath.Join(dir, "config.json"), []byte(cfg))
	}
}

// zipped writes a torch.save-like archive holding data.pkl, stored.
func zipped(t *testing.T, path string, pkl []byte) {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	fw, err := w.CreateHeader(&zip.FileHeader{Name: "archive/data.pkl", Method: zip.Store})
	require.NoError(t, err)
	_, err = fw.Write(pkl)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	write(t, path, b.Bytes())
}

// bomb writes a torch.save-like archive whose data.pkl is n zero bytes as
// one hand-made fixed-Huffman deflate block: a literal 0, then matches of
// length 258 at distance 1 (13 bits each), so 1000 MiB take 6.6 MB and are
// made in milliseconds. declared, if non-zero, replaces the uncompressed
// size recorded in the archive (a lying header).
func bomb(t *testing.T, path string, n, declared uint64) {
	t.Helper()
	var bw bitWriter
	bw.bits(1, 1)    // BFINAL
	bw.bits(1, 2)    // BTYPE 01: fixed Huffman codes
	bw.code(0x30, 8) // literal 0
	matches := (n - 1) / 258
	for range matches {
		bw.code(0xc5, 8) // length code 285: 258 bytes
		bw.code(0, 5)    // distance code 0: distance 1
	}
	for range (n - 1) % 258 {
		bw.code(0x30, 8)
	}
	bw.code(0, 7) // end of block (256)
	deflated := bw.flush()

	crc := crc32.NewIEEE()
	zero := make([]byte, 1<<20)
	for left := n; left > 0; left -= min(left, uint64(len(zero))) {
		crc.Write(zero[:min(left, uint64(len(zero)))])
	}
	if declared == 0 {
		declared = n
	}
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	fw, err := w.CreateRaw(&zip.FileHeader{Name: "archive/data.pkl", Method: zip.Deflate, CRC32: crc.Sum32(),
		CompressedSize64: uint64(len(deflated)), UncompressedSize64: declared})
	require.NoError(t, err)
	_, err = fw.Write(deflated)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	write(t, path, b.Bytes())
}

// bitWriter packs a deflate bit stream: header fields least significant bit
// first, Huffman codes most significant bit first.
type bitWriter struct {
	out   []byte
	acc   uint64
	nbits uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.nbits
	w.nbits += n
	for w.nbits >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nbits -= 8
	}
}

func (w *bitWriter) code(c uint64, n uint) {
	var r uint64
	for i := range n {
		r |= (c >> i & 1) << (n - 1 - i)
	}
	w.bits(r, n)
}

func (w *bitWriter) flush() []byte {
	if w.nbits > 0 {
		w.out = append(w.out, byte(w.acc))
	}
	return w.out
}

// manyTensors writes a safetensors file whose header (about size bytes)
// lists empty U8 tensors t0, t1, ..., streamed to disk in two passes (one to
// measure the header) so the test process never holds it.
func manyTensors(t *testing.T, path string, size int) {
	t.Helper()
	entries := func(w io.Writer) int {
		n := 0
		for i := 0; n < size; i++ {
			sep := ","
			if i == 0 {
				sep = "{"
			}
			k, _ := fmt.Fprintf(w, `%s"t%d":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`, sep, i)
			n += k
		}
		k, _ := io.WriteString(w, "}")
		return n + k
	}
	length := entries(io.Discard)
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	require.NoError(t, binary.Write(w, binary.LittleEndian, uint64(length)))
	require.Equal(t, length, entries(w))
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
}

// loadDir is the library reader of a checkpoint directory.
func loadDir(dir string) (string, error) {
	m, err := pythia.LoadDir(dir, pythia.LoadOptions{})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("loaded %d layers", len(m.Layers)), nil
}

func inspectArgs(dir string) []string { return []string{"-model", dir, "-ids", "1,2,3"} }

// pairs reads dir/x.jsonl (or x.parquet) with the preference reader.
func pairs(name string) func(dir string) (string, error) {
	return func(dir string) (string, error) {
		ps, err := data.ReadPairs(filepath.Join(dir, name))
		return fmt.Sprintf("%d pairs", len(ps)), err
	}
}

func verdict(reply string) func(string) (string, error) {
	return func(string) (string, error) {
		v, err := judge.ParseVerdict(reply)
		return v.String(), err
	}
}

func csvCase(name, content string, want ...string) probeCase {
	return probeCase{name: name, cmd: "scalinglaw",
		setup: func(t *testing.T, dir string) { write(t, filepath.Join(dir, "points.csv"), []byte(content)) },
		args:  func(dir string) []string { return []string{"-in", filepath.Join(dir, "points.csv")} },
		want:  append([]string{"DIR/points.csv:"}, want...)}
}

// validParquet writes two good preference rows as Parquet and returns the bytes.
func validParquet(t *testing.T, path string) []byte {
	t.Helper()
	type row struct {
		Prompt   string `parquet:"prompt"`
		Chosen   string `parquet:"chosen"`
		Rejected string `parquet:"rejected"`
	}
	require.NoError(t, parquet.WriteFile(path, []row{{"Q", " a", " b"}, {"R", " c", " d"}}))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// cases lists the hostile inputs of issue 16 and more.
func cases() []probeCase {
	cfgCase := func(name, cfg string, want ...string) probeCase {
		return probeCase{name: name, setup: withConfig(cfg), cmd: "inspect", args: inspectArgs,
			want: append([]string{"DIR/config.json"}, want...)}
	}
	return []probeCase{
		// Oversized and corrupt configs: refused from config.json, before any allocation.
		cfgCase("config/hidden_size 1e9", sizes(1e9, 8, 2, 64, 100), `"hidden_size" = 1000000000; want an integer in [1, 131072]`),
		cfgCase("config/hidden_size 2^31 one head", sizes(1<<31, 1, 2, 64, 100), `"hidden_size" = 2147483648`),
		cfgCase("config/hidden_size 65536", sizes(65536, 4, 6, 262144, 50304), "hidden_size 65536", "bytes available (MemTotal of /proc/meminfo"),
		cfgCase("config/intermediate_size 2e9", sizes(64, 4, 2, 2e9, 100), `"intermediate_size" = 2000000000`),
		cfgCase("config/vocab_size 2e9", sizes(64, 4, 2, 256, 2e9), `"vocab_size" = 2000000000`),
		cfgCase("config/num_hidden_layers 1e9", sizes(64, 4, 1e9, 256, 100), `"num_hidden_layers" = 1000000000`),
		cfgCase("config/negative size", sizes(-8, 4, 2, 256, 100), `"hidden_size" = -8`),
		cfgCase("config/truncated JSON", tinyConfig[:40], "unexpected end of JSON input"),
		cfgCase("config/string size", strings.Replace(tinyConfig, `"vocab_size": 10`, `"vocab_size": "10"`, 1), `key "vocab_size": want an integer, got "10"`),
		{name: "config/10 MB", cmd: "inspect", args: inspectArgs,
			setup: withConfig(tinyConfig[:len(tinyConfig)-1] + `, "pad": "` + strings.Repeat("x", 10<<20) + `"}`),
			want:  []string{"DIR/config.json: 10485", "exceeds the 4194304-byte limit"}},
		{name: "config/FIFO", cmd: "inspect", args: inspectArgs,
			setup: func(t *testing.T, dir string) {
				checkpoint(t, dir, nil)
				require.NoError(t, os.Remove(filepath.Join(dir, "config.json")))
				fifo(t, filepath.Join(dir, "config.json"))
			},
			want: []string{"DIR/config.json is a named pipe (FIFO), not a regular file"}},
		{name: "config/shapes checked before allocating", // ~26 GB of parameters implied, a tiny checkpoint
			setup: withConfig(sizes(16384, 4, 2, 65536, 10)),
			run: func(dir string) (string, error) {
				_, err := pythia.LoadDir(dir, pythia.LoadOptions{MaxParamBytes: -1})
				return "", err
			},
			want: []string{"DIR/model.safetensors", `tensor "gpt_neox.embed_in.weight" has shape [10 8]; DIR/config.json implies [10 16384]`}},

		// Weights.
		{name: "weights/model.safetensors FIFO", cmd: "inspect", args: inspectArgs,
			setup: func(t *testing.T, dir string) {
				checkpoint(t, dir, nil)
				require.NoError(t, os.Remove(filepath.Join(dir, "model.safetensors")))
				fifo(t, filepath.Join(dir, "model.safetensors"))
			},
			want: []string{"DIR/model.safetensors is a named pipe (FIFO), not a regular file"}},
		{name: "weights/model.safetensors directory", run: loadDir,
			setup: func(t *testing.T, dir string) {
				checkpoint(t, dir, nil)
				require.NoError(t, os.Remove(filepath.Join(dir, "model.safetensors")))
				require.NoError(t, os.Mkdir(filepath.Join(dir, "model.safetensors"), 0o755))
			},
			want: []string{"DIR/model.safetensors is a directory, not a regular file"}},
		{name: "weights/NaN", cmd: "inspect", args: inspectArgs,
			setup: func(t *testing.T, dir string) {
				checkpoint(t, dir, func(name string, v []float32) {
					if name == "gpt_neox.layers.1.attention.dense.weight" {
						v[3] = float32(math.NaN())
					}
				})
			},
			want: []string{"DIR/model.safetensors", `tensor "gpt_neox.layers.1.attention.dense.weight": element 3 is NaN`}},
		{name: "weights/Inf", run: loadDir,
			setup: func(t *testing.T, dir string) {
				checkpoint(t, dir, func(name string, v []float32) {
					if name == "embed_out.weight" {
						v[0] = float32(math.Inf(1))
					}
				})
			},
			want: []string{"DIR/model.safetensors", `tensor "embed_out.weight": element 0 is +Inf`}},
		{name: "weights/header length 99 MB", run: loadDir,
			setup: func(t *testing.T, dir string) {
				checkpoint(t, dir, nil)
				write(t, filepath.Join(dir, "model.safetensors"), []byte{0x00, 0x9f, 0xe7, 0x05, 0, 0, 0, 0, '{', '}'})
			},
			want: []string{"DIR/model.safetensors: header length 99065600 runs past the end of the file (10 bytes)"}},
		{name: "weights/95 MB header of 1.6M tensors", run: loadDir,
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "config.json"), []byte(tinyConfig))
				manyTensors(t, filepath.Join(dir, "model.safetensors"), 95_000_000)
			},
			want: []string{"DIR/model.safetensors: header lists 1629002 tensors", "more than 131072 (safetensors.MaxTensors)"}},
		{name: "weights/32 MB index of 2.4M tensors", run: loadDir,
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "config.json"), []byte(tinyConfig))
				f, err := os.Create(filepath.Join(dir, "model.safetensors.index.json"))
				require.NoError(t, err)
				w := bufio.NewWriter(f)
				_, err = w.WriteString(`{"weight_map": {"t":"a"`)
				require.NoError(t, err)
				for i := range 2_400_000 { // about 32 MB: under the 32 MiB cap on the file's size
					fmt.Fprintf(w, `,"%d":"a"`, i)
				}
				_, err = w.WriteString(`}}`)
				require.NoError(t, err)
				require.NoError(t, w.Flush())
				require.NoError(t, f.Close())
			},
			want: []string{"DIR/model.safetensors.index.json: \"weight_map\" lists more than 262144 tensors"}},
		{name: "weights/truncated data", run: loadDir,
			setup: func(t *testing.T, dir string) {
				checkpoint(t, dir, nil)
				p := filepath.Join(dir, "model.safetensors")
				b, err := os.ReadFile(p)
				require.NoError(t, err)
				write(t, p, b[:len(b)-100])
			},
			want: []string{"DIR/model.safetensors"}},
		{name: "weights/optimizer state FIFO",
			setup: func(t *testing.T, dir string) { fifo(t, filepath.Join(dir, "optimizer.safetensors")) },
			run: func(dir string) (string, error) {
				ps := []nn.Param{{Name: "w", Value: autograd.Param(tensor.Ones(tensor.Float32, 2))}}
				o, err := optim.NewSGD(ps, optim.SGDConfig{LR: 0.1})
				if err != nil {
					return "", err
				}
				return "", o.Load(filepath.Join(dir, "optimizer.safetensors"))
			},
			want: []string{"DIR/optimizer.safetensors is a named pipe (FIFO)"}},

		// PyTorch pickles.
		{name: "torchbin/deflate bomb 1000 MiB", run: loadDir,
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "config.json"), []byte(tinyConfig))
				bomb(t, filepath.Join(dir, "pytorch_model.bin"), 1000<<20, 0)
			},
			want: []string{"DIR/pytorch_model.bin: archive/data.pkl: 1048576000 bytes exceeds the 16777216-byte limit"}},
		{name: "torchbin/deflate bomb, lying size", run: loadDir,
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "config.json"), []byte(tinyConfig))
				bomb(t, filepath.Join(dir, "pytorch_model.bin"), 1000<<20, 100)
			},
			want: []string{"DIR/pytorch_model.bin: archive/data.pkl: inflates to more than the 100 bytes its archive header declares"}},
		{name: "torchbin/deflate bomb, under the cap but not a pickle", run: loadDir,
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "config.json"), []byte(tinyConfig))
				bomb(t, filepath.Join(dir, "pytorch_model.bin"), 16<<20, 0)
			},
			want: []string{"DIR/pytorch_model.bin: archive/data.pkl: pickle: "}},
		{name: "torchbin/2M nested lists", run: loadDir,
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "config.json"), []byte(tinyConfig))
				p := "\x80\x02" + strings.Repeat("]", 2_000_000) + strings.Repeat("a", 2_000_000-1) + "."
				zipped(t, filepath.Join(dir, "pytorch_model.bin"), []byte(p))
			},
			want: []string{"DIR/pytorch_model.bin: archive/data.pkl: pickle: nesting deeper than 100000 stack items"}},
		{name: "torchbin/10 MB global name",
			setup: func(t *testing.T, dir string) {
				p := "\x80\x02c" + strings.Repeat("m", 10<<20) + "\nx\n."
				zipped(t, filepath.Join(dir, "pytorch_model.bin"), []byte(p))
			},
			run: func(dir string) (string, error) {
				_, err := torchbin.Open(filepath.Join(dir, "pytorch_model.bin"))
				return "", err
			},
			want: []string{"DIR/pytorch_model.bin: archive/data.pkl: pickle: unsupported global mmm", "more bytes)"}},
		{name: "torchbin/200k archive entries", run: loadDir,
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "config.json"), []byte(tinyConfig))
				f, err := os.Create(filepath.Join(dir, "pytorch_model.bin"))
				require.NoError(t, err)
				bw := bufio.NewWriter(f)
				w := zip.NewWriter(bw)
				for i := range 200_000 {
					_, err := w.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("archive/data/%d", i), Method: zip.Store})
					require.NoError(t, err)
				}
				require.NoError(t, w.Close())
				require.NoError(t, bw.Flush())
				require.NoError(t, f.Close())
			},
			want: []string{"DIR/pytorch_model.bin: archive declares 200000 entries, more than the 131072"}},
		{name: "torchbin/FIFO", run: loadDir,
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "config.json"), []byte(tinyConfig))
				fifo(t, filepath.Join(dir, "pytorch_model.bin"))
			},
			want: []string{"DIR/pytorch_model.bin is a named pipe (FIFO), not a regular file"}},

		// Tokenizer.
		{name: "tokenizer/FIFO",
			setup: func(t *testing.T, dir string) { fifo(t, filepath.Join(dir, "tokenizer.json")) },
			run: func(dir string) (string, error) {
				_, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json"))
				return "", err
			},
			want: []string{"DIR/tokenizer.json is a named pipe (FIFO), not a regular file"}},

		// Preference data.
		{name: "jsonl/10 MB line", run: pairs("x.jsonl"),
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "x.jsonl"), []byte(`{"prompt": "a", "chosen": "b", "rejected": "c"}`+"\n"+
					`{"prompt": "`+strings.Repeat("p", 10<<20)+`", "chosen": "b", "rejected": "c"}`+"\n"))
			},
			want: []string{"DIR/x.jsonl:2: line longer than the 1048576-byte limit (data.MaxLineBytes)"}},
		{name: "jsonl/20 MB without newline", run: pairs("x.jsonl"),
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "x.jsonl"), bytes.Repeat([]byte("["), 20<<20))
			},
			want: []string{"DIR/x.jsonl:1: line longer than the 1048576-byte limit"}},
		{name: "jsonl/deep nesting", run: pairs("x.jsonl"),
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "x.jsonl"), []byte(`{"prompt": `+strings.Repeat("[", 500_000)+"\n"))
			},
			want: []string{"DIR/x.jsonl:1: invalid JSON"}},
		{name: "jsonl/invalid UTF-8", run: pairs("x.jsonl"),
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "x.jsonl"), []byte("{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"\xc0\xaf\"}\n"))
			},
			want: []string{"DIR/x.jsonl:2: field rejected: invalid UTF-8 (byte 0xc0 at column 45)"}},
		{name: "jsonl/empty prompt on line 5", run: pairs("x.jsonl"),
			setup: func(t *testing.T, dir string) {
				good := `{"prompt": "a", "chosen": "b", "rejected": "c"}` + "\n"
				write(t, filepath.Join(dir, "x.jsonl"), []byte(good+"\n"+good+good+`{"prompt": "", "chosen": "b", "rejected": "c"}`+"\n"))
			},
			want: []string{"DIR/x.jsonl:5: field prompt: empty"}},
		{name: "jsonl/FIFO", run: pairs("x.jsonl"),
			setup: func(t *testing.T, dir string) { fifo(t, filepath.Join(dir, "x.jsonl")) },
			want:  []string{"DIR/x.jsonl is a named pipe (FIFO), not a regular file"}},
		{name: "parquet/not parquet", run: pairs("x.parquet"),
			setup: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "x.parquet"), []byte("PAR1 not a parquet file PAR1"))
			},
			want: []string{"DIR/x.parquet"}},
		{name: "parquet/truncated", run: pairs("x.parquet"),
			setup: func(t *testing.T, dir string) {
				p := filepath.Join(dir, "x.parquet")
				b := validParquet(t, p)
				write(t, p, b[:len(b)/2])
			},
			want: []string{"DIR/x.parquet"}},
		{name: "parquet/footer length 2 GB", run: pairs("x.parquet"),
			setup: func(t *testing.T, dir string) {
				p := filepath.Join(dir, "x.parquet")
				b := validParquet(t, p)
				copy(b[len(b)-8:], []byte{0xff, 0xff, 0xff, 0x7f})
				write(t, p, b)
			},
			want: []string{"DIR/x.parquet: footer length 2147483647 exceeds the file"}},
		{name: "parquet/invalid UTF-8", run: pairs("x.parquet"),
			setup: func(t *testing.T, dir string) {
				type row struct {
					Prompt   string `parquet:"prompt"`
					Chosen   string `parquet:"chosen"`
					Rejected string `parquet:"rejected"`
				}
				require.NoError(t, parquet.WriteFile(filepath.Join(dir, "x.parquet"), []row{{"Q", " a", " b"}, {"Q\xff", " a", " b"}}))
			},
			want: []string{"DIR/x.parquet: row 2: field prompt: invalid UTF-8"}},
		{name: "parquet/FIFO", run: pairs("x.parquet"),
			setup: func(t *testing.T, dir string) { fifo(t, filepath.Join(dir, "x.parquet")) },
			want:  []string{"DIR/x.parquet is a named pipe (FIFO), not a regular file"}},

		// Judge verdicts.
		{name: "verdict/A or B, unclear", run: verdict("Comparison: both fine.\nPreferred: A or B, unclear"), want: []string{"no verdict in judge reply"}},
		{name: "verdict/A, though B", run: verdict("Comparison: x\nPreferred: A, though B is close"), want: []string{"no verdict in judge reply"}},
		{name: "verdict/maybe B", run: verdict("Comparison: x\nPreferred: maybe B"), want: []string{"no verdict in judge reply"}},
		{name: "verdict/a tie is a tie", run: verdict("Comparison: x\nPreferred: a tie"), want: []string{"Tie"}, ok: true},

		// Scaling-law points.
		csvCase("csv/win rate 7", "name,kl,winrate\ndpo,0,0.4\ndpo,1,7\n", `3:7: column "winrate": 7 is outside [0, 1]`),
		csvCase("csv/win rate -3", "name,kl,winrate\ndpo,0,-3\n", `2:7: column "winrate": -3 is outside [0, 1]`),
		csvCase("csv/NaN", "name,kl,winrate\ndpo,NaN,0.5\n", `2:5: column "kl": "NaN" is not a finite number`),
		csvCase("csv/Inf", "name,kl,winrate\ndpo,0,+Inf\n", `2:7: column "winrate": "+Inf" is not a finite number`),
		csvCase("csv/bare quote", "name,kl,winrate\nd\"po,0,0.4\n", `2:2: bare " in non-quoted-field`),
	}
}
