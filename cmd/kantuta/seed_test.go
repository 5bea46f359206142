package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProgressOffTerminal: on a pipe, plain lines (no \r, no bar), one per
// 10%, and no rate before a second has passed.
func TestProgressOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, 1000, "clientes")
	t0 := p.start
	p.setAt(10, t0.Add(time.Millisecond)) // the first tiny batch
	for i := 1; i <= 100; i++ {
		p.setAt(i*10, t0.Add(time.Duration(i)*50*time.Millisecond))
	}
	p.done()
	out := buf.String()
	if strings.ContainsAny(out, "\r█") {
		t.Fatalf("terminal codes on a pipe: %q", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 10 || len(lines) > 12 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	if lines[0] != "clientes 10/1000 (1%)" {
		t.Fatalf("first line %q: no rate yet after 1 ms", lines[0])
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "clientes 1000/1000 (100%), 200 clientes/s") {
		t.Fatalf("last line %q", last)
	}
}

// TestSeedRerun: a rerun says it adds; --reset replaces.
func TestSeedRerun(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("KANTUTA_DATA_DIR", filepath.Join(dir, "data"))
	out, code := runCLI(t, "seed", "demo", "--clientes", "30")
	if code != 0 || strings.Contains(out, "note:") || !strings.Contains(out, "inserted 30 demo clientes") {
		t.Fatalf("first seed: %d %q", code, out)
	}
	out, code = runCLI(t, "seed", "demo", "--clientes", "20")
	if code != 0 || !strings.Contains(out, "note: 30 clientes already exist; adding 20 more (--reset deletes them first)") {
		t.Fatalf("rerun: %d %q", code, out)
	}
	out, code = runCLI(t, "seed", "demo", "--clientes", "10", "--reset")
	if code != 0 || !strings.Contains(out, "deleted 50 clientes (--reset)") || !strings.Contains(out, "inserted 10 demo clientes") {
		t.Fatalf("reset: %d %q", code, out)
	}
	if !strings.Contains(out, "clientes 10/10 (100%)") || strings.Contains(out, "\r") {
		t.Fatalf("progress on a buffer: %q", out)
	}
}
