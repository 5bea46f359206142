package login

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHasher(t *testing.T) {
	h := NewHasher(bcrypt.MinCost + 1)
	ctx := context.Background()
	hash, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name        string
		hash, input string
		ok, upgrade bool
	}{
		{"match", hash, "correct horse", true, false},
		{"mismatch", hash, "wrong horse", false, false},
		{"no account", "", "anything", false, false},
		{"lower cost is upgraded", mustHash(t, "pin1234", bcrypt.MinCost), "pin1234", true, true},
		{"over 72 bytes never matches", hash, strings.Repeat("x", 73), false, false},
	}
	for _, tc := range cases {
		ok, upgrade, err := h.Compare(ctx, tc.hash, tc.input)
		if err != nil || ok != tc.ok || upgrade != tc.upgrade {
			t.Errorf("%s: ok=%v upgrade=%v err=%v", tc.name, ok, upgrade, err)
		}
	}
	if _, err := h.Hash(ctx, strings.Repeat("x", 73)); err == nil {
		t.Error("hashing more than 72 bytes must fail rather than truncate")
	}
}

func mustHash(t *testing.T, s string, cost int) string {
	b, err := bcrypt.GenerateFromPassword([]byte(s), cost)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func BenchmarkBcryptCompareCost10(b *testing.B) {
	h := NewHasher(10)
	hash, _ := h.Hash(context.Background(), "Password123!")
	for b.Loop() {
		h.Compare(context.Background(), hash, "Password123!")
	}
}

// BenchmarkRawBcryptCompareParallel is the machine's own limit for logins:
// golang.org/x/crypto/bcrypt on every core at once, without our Hasher.
// Its ns/op is wall time per compare across all cores.
func BenchmarkRawBcryptCompareParallel(b *testing.B) {
	hash, err := bcrypt.GenerateFromPassword([]byte("Password123!"), 10)
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if bcrypt.CompareHashAndPassword(hash, []byte("Password123!")) != nil {
				b.Error("compare failed")
			}
		}
	})
}
