//go:build !unix

package inventario

import "time"

// ProcessCPU is not measured here; the benchmarks then omit their CPU
// figures.
func ProcessCPU() time.Duration { return 0 }
