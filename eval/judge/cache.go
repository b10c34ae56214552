package judge

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/daalab/daa/internal/regfile"
)

// Cache stores verdicts by CacheKey, in memory and optionally in a JSONL
// file. The file is append-only: OpenCache loads every line at start, and Put
// appends one line per new verdict with a single write, so an interrupted run
// loses at most its last verdict and the next run resumes from the rest.
// A Cache is safe for concurrent use.
type Cache struct {
	mu   sync.Mutex
	m    map[string]Verdict
	f    *os.File // nil for a memory-only cache
	path string
}

// cacheLine is one line of the JSONL file.
type cacheLine struct {
	Key     string `json:"key"`
	Judge   string `json:"judge"`
	Verdict string `json:"verdict"`
}

// NewCache returns an empty in-memory cache.
func NewCache() *Cache {
	return &Cache{m: make(map[string]Verdict)}
}

// OpenCache returns a cache backed by the JSONL file at path, creating it if
// needed and loading every verdict it holds. It returns an error naming the
// file and line when a line is not a valid record (including a last line cut
// short by an interrupted write, which must be deleted by hand: appending
// after it would corrupt the next record). A path that exists but is not a
// regular file (a named pipe, a device) is refused without being opened.
// Close the cache when done.
func OpenCache(path string) (*Cache, error) {
	c := NewCache()
	if err := regfile.Check(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("judge: verdict cache: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("judge: reading verdict cache: %w", err)
	}
	if err := c.load(path, data); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("judge: opening verdict cache: %w", err)
	}
	c.f, c.path = f, path
	return c, nil
}

// load parses the JSONL records in data (read from path) into c.m.
func (c *Cache) load(path string, data []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), len(data)+1)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var rec cacheLine
		if err := json.Unmarshal(text, &rec); err != nil {
			return fmt.Errorf("judge: verdict cache %s:%d: %v", path, line, err)
		}
		v, ok := parseVerdictName(rec.Verdict)
		if !ok || rec.Key == "" {
			return fmt.Errorf("judge: verdict cache %s:%d: want a non-empty \"key\" and \"verdict\" A, B or Tie, got key %q verdict %q", path, line, rec.Key, rec.Verdict)
		}
		c.m[rec.Key] = v
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("judge: verdict cache %s: %w", path, err)
	}
	return nil
}

// Get returns the cached verdict for key.
func (c *Cache) Get(key string) (Verdict, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

// Put records verdict v for key (made by the judge with ID judgeID, stored in
// the file for inspection) and appends it to the file, if any. Put panics on
// an invalid verdict.
func (c *Cache) Put(key, judgeID string, v Verdict) error {
	if _, ok := parseVerdictName(v.String()); !ok {
		panic(fmt.Sprintf("judge: Cache.Put: invalid verdict %v", v))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[key]; ok && old == v {
		return nil
	}
	c.m[key] = v
	if c.f == nil {
		return nil
	}
	line, err := json.Marshal(cacheLine{Key: key, Judge: judgeID, Verdict: v.String()})
	if err != nil {
		return fmt.Errorf("judge: verdict cache %s: %w", c.path, err)
	}
	if _, err := c.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("judge: verdict cache %s: %w", c.path, err)
	}
	return nil
}

// Len returns the number of cached verdicts.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Close closes the cache file, if any. The in-memory cache stays readable;
// Put after Close returns an error for a file-backed cache.
func (c *Cache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return nil
	}
	return c.f.Close()
}

// CacheKey returns the hex SHA-256 of the judge ID, the prompt and the two
// responses in the order presented (a first). Each field is prefixed with its
// length, so no two different tuples share a key by concatenation.
func CacheKey(judgeID, prompt, a, b string) string {
	h := sha256.New()
	for _, s := range []string{judgeID, prompt, a, b} {
		var n [binary.MaxVarintLen64]byte
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		io.WriteString(h, s)
	}
	return hex.EncodeToString(h.Sum(nil))
}
