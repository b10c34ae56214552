package hub_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/daalab/daa/pythia/hub"
)

// exampleHub serves one commit of EleutherAI/pythia-70m with two small
// files through the two endpoints Download uses, as huggingface.co does
// for files outside LFS: the revision API (commit sha and file list) and
// resolve URLs, whose ETag is the file's git blob sha1.
func exampleHub(sha string, files map[string][]byte) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/models/EleutherAI/pythia-70m/revision/") {
			var siblings []map[string]string
			for name := range files {
				siblings = append(siblings, map[string]string{"rfilename": name})
			}
			json.NewEncoder(w).Encode(map[string]any{"sha": sha, "siblings": siblings})
			return
		}
		name, ok := strings.CutPrefix(r.URL.Path, "/EleutherAI/pythia-70m/resolve/"+sha+"/")
		content, found := files[name]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		h := sha1.New()
		fmt.Fprintf(h, "blob %d\x00", len(content)) // git's blob hash
		h.Write(content)
		w.Header().Set("ETag", `"`+hex.EncodeToString(h.Sum(nil))+`"`)
		w.Header().Set("X-Repo-Commit", sha)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(content))
	}))
}

// Download a model at a revision into a hub cache, then find it again
// offline with Resolve. A local server stands in for huggingface.co here;
// with the zero Options, Download fetches from https://huggingface.co into
// the Hugging Face cache (config.json, tokenizer.json and the weights).
func ExampleDownload() {
	sha := strings.Repeat("ab", 20) // the commit that step3000 names
	srv := exampleHub(sha, map[string][]byte{
		"config.json":       []byte(`{"model_type": "gpt_neox"}`),
		"model.safetensors": []byte("weights"),
	})
	defer srv.Close()
	cache, err := os.MkdirTemp("", "hub-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(cache)

	dir, err := hub.Download(context.Background(), "EleutherAI/pythia-70m@step3000", hub.Options{
		Endpoint: srv.URL,
		CacheDir: cache,
		Token:    "unused", // not the user's $HF_TOKEN: this server is not the hub
		Progress: func(file string, done, total int64) {
			if done == total {
				fmt.Println("have", file, total, "bytes")
			}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rel, _ := filepath.Rel(cache, dir)
	fmt.Println(filepath.ToSlash(rel))

	// Resolve looks in $HF_HUB_CACHE (else $HF_HOME/hub, else
	// ~/.cache/huggingface/hub) without the network.
	old, had := os.LookupEnv("HF_HUB_CACHE")
	os.Setenv("HF_HUB_CACHE", cache)
	again, err := hub.Resolve("EleutherAI/pythia-70m@step3000")
	if had {
		os.Setenv("HF_HUB_CACHE", old)
	} else {
		os.Unsetenv("HF_HUB_CACHE")
	}
	fmt.Println(again == dir, err)
	// Output:
	// have config.json 26 bytes
	// have model.safetensors 7 bytes
	// models--EleutherAI--pythia-70m/snapshots/abababababababababababababababababababab
	// true <nil>
}
