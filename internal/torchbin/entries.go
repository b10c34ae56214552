package torchbin

import (
	"bytes"
	"encoding/binary"
	"io"
)

// maxArchiveEntries bounds the entries of a checkpoint archive, checked from
// its end-of-central-directory record before archive/zip reads them (it
// keeps about 400 bytes per entry: 1M entries in a 130 MB file took 380 MB).
// torch.save writes one entry per storage plus a few: about 500 for
// Pythia-12B.
const maxArchiveEntries = 1 << 17

// archiveEntries returns the entry count an archive of size bytes declares
// in its end-of-central-directory record (or its zip64 form), and false
// when no such record is found (archive/zip then reports the problem).
func archiveEntries(r io.ReaderAt, size int64) (uint64, bool) {
	const eocdLen, maxComment = 22, 1<<16 - 1
	tail := min(size, eocdLen+maxComment)
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return 0, false
	}
	at := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if at < 0 || len(buf)-at < eocdLen {
		return 0, false
	}
	le := binary.LittleEndian
	if n := le.Uint16(buf[at+10:]); n != 0xffff {
		return uint64(n), true
	}
	// Zip64: a 20-byte locator precedes the record and gives the offset of
	// the zip64 end-of-central-directory record (entry count at byte 32).
	loc := at - 20
	if loc < 0 || !bytes.Equal(buf[loc:loc+4], []byte("PK\x06\x07")) {
		return 0, false
	}
	off := le.Uint64(buf[loc+8:])
	var rec [40]byte
	if off > uint64(size) || uint64(size)-off < uint64(len(rec)) {
		return 0, false
	}
	if _, err := r.ReadAt(rec[:], int64(off)); err != nil || !bytes.Equal(rec[:4], []byte("PK\x06\x06")) {
		return 0, false
	}
	return le.Uint64(rec[32:]), true
}
