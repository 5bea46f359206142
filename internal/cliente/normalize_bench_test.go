package cliente

import "testing"

func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Normalize("  MARÍA  José Ñúñez-Cedeño  ")
	}
}
