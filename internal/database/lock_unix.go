//go:build unix

package database

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockSQLite takes an exclusive lock on PATH.lock next to the SQLite file of
// dbURL, so that a second server on the same file refuses to start instead
// of writing beside the first. The lock is the kernel's (flock): it ends
// with the process, however it ends, so a crash leaves nothing to clean up.
// For PostgreSQL URLs it does nothing: replicas share PostgreSQL by design.
func LockSQLite(dbURL string) (unlock func(), err error) {
	p := SQLitePath(dbURL)
	if p == "" {
		return func() {}, nil
	}
	lockPath := p + ".lock"
	if dir := filepath.Dir(p); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, dirError(dir, err)
		}
	}
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w; set KANTUTA_DATA_DIR to a directory this user can write", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(lockPath)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := "another process"
			if pid := strings.TrimSpace(string(holder)); pid != "" {
				who = "process " + pid
			}
			return nil, fmt.Errorf("another kantuta (%s) is already serving %s: stop it first, or give this one its own "+
				"KANTUTA_DATA_DIR (two servers on one SQLite file would both write to it; several replicas need PostgreSQL)", who, p)
		}
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() {
		_ = f.Truncate(0)
		f.Close() // releases the lock
	}, nil
}
