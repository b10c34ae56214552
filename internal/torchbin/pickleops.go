package torchbin

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Argument layouts of pickle opcodes (Python's pickletools names in comments).
const (
	argNone     = iota
	argFixed1   // uint1
	argFixed2   // uint2
	argFixed4   // int4 / uint4
	argFixed8   // float8 / uint8 (FRAME)
	argLine     // decimalnl, stringnl, unicodestringnl: up to '\n'
	argTwoLines // GLOBAL, INST: "module\nname\n"
	argLen1     // uint1 length, then that many bytes
	argLen4     // uint4 (or int4) length, then that many bytes
	argLen8     // uint8 length, then that many bytes
)

// pickleArgs maps every opcode of pickle protocols 0-5 to its argument layout.
var pickleArgs = map[byte]int{
	'(': argNone, '.': argNone, '0': argNone, '1': argNone, '2': argNone, // MARK STOP POP POP_MARK DUP
	'F': argLine, 'I': argLine, 'J': argFixed4, 'K': argFixed1, 'L': argLine, 'M': argFixed2, // FLOAT INT BININT BININT1 LONG BININT2
	'N': argNone, 'P': argLine, 'Q': argNone, 'R': argNone, // NONE PERSID BINPERSID REDUCE
	'S': argLine, 'T': argLen4, 'U': argLen1, 'V': argLine, 'X': argLen4, // STRING BINSTRING SHORT_BINSTRING UNICODE BINUNICODE
	'a': argNone, 'b': argNone, 'c': argTwoLines, 'd': argNone, '}': argNone, 'e': argNone, // APPEND BUILD GLOBAL DICT EMPTY_DICT APPENDS
	'g': argLine, 'h': argFixed1, 'i': argTwoLines, 'j': argFixed4, 'l': argNone, ']': argNone, // GET BINGET INST LONG_BINGET LIST EMPTY_LIST
	'o': argNone, 'p': argLine, 'q': argFixed1, 'r': argFixed4, 's': argNone, 't': argNone, // OBJ PUT BINPUT LONG_BINPUT SETITEM TUPLE
	')': argNone, 'u': argNone, 'G': argFixed8, // EMPTY_TUPLE SETITEMS BINFLOAT
	0x80: argFixed1, 0x81: argNone, 0x82: argFixed1, 0x83: argFixed2, 0x84: argFixed4, // PROTO NEWOBJ EXT1 EXT2 EXT4
	0x85: argNone, 0x86: argNone, 0x87: argNone, 0x88: argNone, 0x89: argNone, // TUPLE1-3 NEWTRUE NEWFALSE
	0x8a: argLen1, 0x8b: argLen4, 'B': argLen4, 'C': argLen1, // LONG1 LONG4 BINBYTES SHORT_BINBYTES
	0x8c: argLen1, 0x8d: argLen8, 0x8e: argLen8, // SHORT_BINUNICODE BINUNICODE8 BINBYTES8
	0x8f: argNone, 0x90: argNone, 0x91: argNone, 0x92: argNone, 0x93: argNone, 0x94: argNone, // EMPTY_SET ADDITEMS FROZENSET NEWOBJ_EX STACK_GLOBAL MEMOIZE
	0x95: argFixed8, 0x96: argLen8, 0x97: argNone, 0x98: argNone, // FRAME BYTEARRAY8 NEXT_BUFFER READONLY_BUFFER
}

// Bounds on what a pickle may make the unpickler build. A state dict's
// pickle runs about 30 opcodes per tensor and its stack holds at most one
// SETITEMS batch (Python writes 1000 key/value pairs per batch) plus a few
// nested tuples; nesting deeper than maxPickleStack, or more than
// maxPickleOps opcodes, is not a state dict and would cost the unpickler
// hundreds of bytes per item.
const (
	maxPickleOps   = 1 << 20
	maxPickleStack = 100_000
)

// Stack effects of opcodes: markOpen pushes a mark, toMark pops back to
// the last mark (the constructors then push their result), and the others
// change the stack size by pickleStack[op] (0 when absent).
const (
	markOpen = 100 + iota
	toMark
	toMarkPush
)

var pickleStack = map[byte]int{
	'(': markOpen, '.': -1, '0': -1, '1': toMark, '2': 1, // MARK STOP POP POP_MARK DUP
	'F': 1, 'I': 1, 'J': 1, 'K': 1, 'L': 1, 'M': 1, 'N': 1, 'P': 1, 'R': -1, // FLOAT INT BININT BININT1 LONG BININT2 NONE PERSID REDUCE
	'S': 1, 'T': 1, 'U': 1, 'V': 1, 'X': 1, 'a': -1, 'b': -1, 'c': 1, 'd': toMarkPush, '}': 1, // strings APPEND BUILD GLOBAL DICT EMPTY_DICT
	'e': toMark, 'g': 1, 'h': 1, 'j': 1, 'i': toMarkPush, 'l': toMarkPush, ']': 1, 'o': toMarkPush, // APPENDS GETs INST LIST EMPTY_LIST OBJ
	's': -2, 't': toMarkPush, ')': 1, 'u': toMark, 'G': 1, // SETITEM TUPLE EMPTY_TUPLE SETITEMS BINFLOAT
	0x81: -1, 0x82: 1, 0x83: 1, 0x84: 1, 0x86: -1, 0x87: -2, 0x88: 1, 0x89: 1, // NEWOBJ EXT1-4 TUPLE2 TUPLE3 NEWTRUE NEWFALSE
	0x8a: 1, 0x8b: 1, 'B': 1, 'C': 1, 0x8c: 1, 0x8d: 1, 0x8e: 1, 0x8f: 1, // LONG1 LONG4 bytes/unicode EMPTY_SET
	0x90: toMark, 0x91: toMarkPush, 0x92: -2, 0x93: -1, 0x96: 1, 0x97: 1, // ADDITEMS FROZENSET NEWOBJ_EX STACK_GLOBAL BYTEARRAY8 NEXT_BUFFER
}

// pickleDepth tracks the size of the unpickler's stack (items and marks).
// Underflows are left for the unpickler to report: the size only clamps.
type pickleDepth struct {
	size  int
	marks []int // stack size below each open mark
}

// apply records op's effect and returns the new stack size.
func (d *pickleDepth) apply(op byte) int {
	switch e := pickleStack[op]; e {
	case markOpen:
		d.marks = append(d.marks, d.size)
		d.size++
	case toMark, toMarkPush:
		if n := len(d.marks); n > 0 {
			d.size, d.marks = d.marks[n-1], d.marks[:n-1]
		}
		if e == toMarkPush {
			d.size++
		}
	default:
		d.size = max(0, d.size+e)
	}
	return d.size
}

// scanPickle walks the opcodes of p up to STOP and checks that each is known
// and that every argument, and every length-prefixed payload, lies inside p.
// The unpickler allocates a buffer of each declared length before reading
// it, so this keeps a corrupt length from requesting gigabytes. It also
// refuses more than maxPickleOps opcodes and a stack (nesting) deeper than
// maxPickleStack.
func scanPickle(p []byte) error {
	le := binary.LittleEndian
	var depth pickleDepth
	for pos, ops := 0, 0; pos < len(p); ops++ {
		op := p[pos]
		kind, ok := pickleArgs[op]
		if !ok {
			return fmt.Errorf("pickle: unknown opcode %#x at byte %d", op, pos)
		}
		if ops == maxPickleOps {
			return fmt.Errorf("pickle: more than %d opcodes (at byte %d of %d); a state dict needs about 30 per tensor", maxPickleOps, pos, len(p))
		}
		if depth.apply(op) > maxPickleStack {
			return fmt.Errorf("pickle: nesting deeper than %d stack items at byte %d; a state dict needs about 2000", maxPickleStack, pos)
		}
		at := pos
		pos++
		need := 0 // bytes of argument after the opcode
		switch kind {
		case argFixed1, argLen1:
			need = 1
		case argFixed2:
			need = 2
		case argFixed4, argLen4:
			need = 4
		case argFixed8, argLen8:
			need = 8
		case argLine, argTwoLines:
			lines := 1
			if kind == argTwoLines {
				lines = 2
			}
			for range lines {
				nl := bytes.IndexByte(p[pos:], '\n')
				if nl < 0 {
					return fmt.Errorf("pickle: opcode %#x at byte %d: unterminated line argument", op, at)
				}
				pos += nl + 1
			}
		}
		if len(p)-pos < need {
			return fmt.Errorf("pickle: opcode %#x at byte %d: argument runs past the end (%d bytes)", op, at, len(p))
		}
		var payload uint64
		switch kind {
		case argLen1:
			payload = uint64(p[pos])
		case argLen4:
			payload = uint64(le.Uint32(p[pos:]))
			if op == 'T' || op == 0x8b { // BINSTRING, LONG4: signed length
				payload = uint64(int64(int32(le.Uint32(p[pos:]))))
			}
		case argLen8:
			payload = le.Uint64(p[pos:])
		}
		pos += need
		if op == 0x95 { // FRAME: the frame's size must fit; its opcodes follow inline and are scanned as usual
			if size := le.Uint64(p[pos-8:]); size > uint64(len(p)-pos) {
				return fmt.Errorf("pickle: frame at byte %d declares %d bytes but %d remain", at, size, len(p)-pos)
			}
			continue
		}
		if payload > uint64(len(p)-pos) {
			return fmt.Errorf("pickle: opcode %#x at byte %d declares %d bytes but %d remain", op, at, int64(payload), len(p)-pos)
		}
		pos += int(payload)
		if op == '.' {
			return nil
		}
	}
	return fmt.Errorf("pickle: no STOP opcode in %d bytes", len(p))
}
