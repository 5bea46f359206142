//go:build unix

package inventario

import (
	"syscall"
	"time"
)

// ProcessCPU is the user and system CPU time this process has used: the
// benchmarks report it per operation, which a loaded machine inflates far
// less than wall time.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
