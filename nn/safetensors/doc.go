// Package safetensors reads and writes the safetensors checkpoint format
// (github.com/huggingface/safetensors), including Hugging Face sharded
// checkpoints (model.safetensors.index.json plus model-0000i-of-0000n files).
//
// # Format
//
// A file is an 8-byte little-endian unsigned header length N, then N bytes of
// UTF-8 JSON, then the data buffer:
//
//	{"__metadata__": {"format": "pt"},
//	 "gpt_neox.embed_in.weight": {"dtype": "F32", "shape": [96, 32], "data_offsets": [0, 12288]}, ...}
//
// Each tensor's data_offsets [begin, end) are byte offsets into the buffer
// (which starts at byte 8+N of the file); the bytes are the row-major tensor
// in little-endian order, and end-begin must equal the element count times
// the dtype size. As in the reference implementation, the tensors must cover
// the buffer exactly: sorted by offset, each begins where the previous ends,
// with no gaps, overlaps or trailing bytes.
//
// # Reading
//
// Open reads and validates only the header and keeps the file open; each
// tensor is read on demand with ReadAt, in bounded chunks, and converted
// straight into the caller's slice (Float32Into) or a new one (Float32), so a
// loader that converts tensor by tensor never holds two float32 copies of the
// whole model. Float32 and Float64 accept the float dtypes F64, F32, F16 and
// BF16; Int64 accepts the integer dtypes and BOOL; Raw returns any tensor's
// bytes. Every error names the file and, where there is one, the tensor.
//
// OpenSharded reads an index file and opens its shards on first use; OpenDir
// picks the index or the single model.safetensors of a checkpoint directory.
//
// Hostile files are bounded: a header of at most MaxHeaderSize bytes listing
// at most MaxTensors tensors; an index of at most 32 MiB whose weight map
// lists at most 262144 tensors (read as a stream, so a larger one is refused
// before it is built) with at most 1 MiB of metadata. A path that is not a
// regular file (a named pipe, a device, a directory) is refused without
// being opened, so a FIFO in place of a checkpoint cannot block a reader.
//
// # Writing
//
// Write and WriteStream write a file atomically (temporary file in the same
// directory, fsync, rename). Like the reference writer they pad the header
// with spaces to a multiple of 8 bytes and lay tensors out sorted by dtype in
// descending order of the reference's dtype enumeration (U64, I64, F64, F32,
// U32, I32, BF16, F16, U16, I16, F8_*, I8, U8, BOOL: wider types first, so
// every tensor is aligned to its element size) and then by name. WriteStream
// takes each tensor's bytes from a callback, so a large model is saved without
// building one big buffer; WriteSharded and WriteShardedStream split a
// checkpoint into shards of at most a given size plus an index file.
package safetensors
