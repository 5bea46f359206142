package login

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"golang.org/x/crypto/bcrypt"
)

// MaxPasswordBytes is bcrypt's limit; longer passwords are refused rather
// than silently cut.
const MaxPasswordBytes = 72

// Hasher hashes and checks passwords and PINs with bcrypt, with at most one
// bcrypt computation per core at a time, so that a login storm queues
// instead of starving every other request of CPU.
type Hasher struct {
	cost       int
	slots      chan struct{}
	dummy      []byte
	dummyReady chan struct{}
	compares   atomic.Int64
}

// Compares is how many secrets Compare has checked since start (tests use
// it to prove that a locked account costs no compare).
func (h *Hasher) Compares() int64 { return h.compares.Load() }

// NewHasher builds a Hasher at cost.
func NewHasher(cost int) *Hasher {
	h := &Hasher{cost: cost, slots: make(chan struct{}, runtime.NumCPU()), dummyReady: make(chan struct{})}
	// A hash of nothing in particular, compared against when an account does
	// not exist so that "unknown" and "wrong password" take the same time.
	// Made in the background: it is not worth delaying start-up for.
	go func() {
		h.dummy, _ = bcrypt.GenerateFromPassword([]byte("kantuta-timing-equaliser"), cost)
		close(h.dummyReady)
	}()
	return h
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the bcrypt hash of secret.
func (h *Hasher) Hash(ctx context.Context, secret string) (string, error) {
	if len(secret) > MaxPasswordBytes {
		return "", fmt.Errorf("hash: secret longer than %d bytes", MaxPasswordBytes)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	var b []byte
	var err error
	lowPriority(func() { b, err = bcrypt.GenerateFromPassword([]byte(secret), h.cost) })
	if err != nil {
		return "", fmt.Errorf("hash: %w", err)
	}
	return string(b), nil
}

// Compare reports whether secret matches hash, and whether the hash was
// made at a lower cost than configured (so the caller re-hashes it). An
// empty hash is compared against a dummy to keep timing even.
func (h *Hasher) Compare(ctx context.Context, hash, secret string) (ok, upgrade bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	h.compares.Add(1)
	if hash == "" || len(secret) > MaxPasswordBytes {
		<-h.dummyReady
		lowPriority(func() { _ = bcrypt.CompareHashAndPassword(h.dummy, []byte(secret)) })
		return false, false, nil
	}
	lowPriority(func() { err = bcrypt.CompareHashAndPassword([]byte(hash), []byte(secret)) })
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("compare hash: %w", err)
	}
	cost, cerr := bcrypt.Cost([]byte(hash))
	return true, cerr == nil && cost < h.cost, nil
}
