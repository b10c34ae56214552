// Package torchbin reads PyTorch checkpoints written by torch.save (the
// pytorch_model.bin files of the Hugging Face hub): a state dict mapping
// parameter names to tensors.
//
// The format (torch >= 1.6) is a zip archive holding ARCHIVE/data.pkl, a
// pickle of the state dict in which every tensor is a call
// torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...)
// and every storage a persistent id ('storage', torch.FloatStorage, key,
// location, numel) whose little-endian bytes are the archive entry
// ARCHIVE/data/KEY. Several tensors may share a storage (tied weights, views)
// and a tensor may be a non-contiguous view into it (offset and strides in
// elements).
//
// Open unpickles data.pkl with github.com/nlpodyssey/gopickle's generic
// unpickler, but with its own class table and persistent-load hook, so only
// storage descriptions are kept: no tensor data is read until asked for, and
// only the globals a state dict uses are accepted (collections.OrderedDict,
// the torch.*Storage classes, _rebuild_tensor_v2, _rebuild_parameter); any
// other global, such as a pickled nn.Module, is an error naming it. Before
// unpickling, the opcode stream is scanned so that no length field can make
// the unpickler allocate more than the pickle holds, and panics inside the
// unpickler are turned into errors.
//
// Hostile input is bounded: the archive may declare at most 131072 entries
// (checked from its end record before they are read), data.pkl may inflate
// to at most 16 MiB (a
// deflated entry is refused on its declared size, and reading stops at the
// bound whatever it declares), hold at most 2^20 opcodes and nest at most
// 100000 stack items (a state dict's pickle is about 200 bytes, 30 opcodes
// per tensor, and its stack about 2000 items deep), so a decompression bomb
// or a pickle of millions of nested lists is refused before the unpickler
// builds anything. Error messages quote pickled values in at most about 200
// bytes; a path that is not a regular file (a FIFO, a device) is refused
// without being opened.
//
// Float32, Float64 and Int64 honour storage offset and strides and accept the
// same dtypes as the safetensors reader; the dtypes are named as in
// safetensors (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL).
//
// Not supported, each with an error saying so: the legacy pre-1.6 non-zip
// format (torch.save(..., _use_new_zipfile_serialization=False); gopickle's
// legacy loader reads every storage eagerly and panics on storage views),
// TorchScript archives, big-endian archives, and compressed archive entries
// other than data.pkl.
package torchbin
