//go:build !linux

package auth

func lowPriority(fn func()) { fn() }
