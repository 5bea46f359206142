//go:build !linux

package login

func lowPriority(fn func()) { fn() }
