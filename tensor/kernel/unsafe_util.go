package kernel

import "unsafe"

// unsafeSizeof returns the size of T in bytes.
func unsafeSizeof[T any](v T) uintptr { return unsafe.Sizeof(v) }

// addressOf returns the address of the first element of s (len(s) > 0).
func addressOf[T any](s []T) uintptr { return uintptr(unsafe.Pointer(&s[0])) }
