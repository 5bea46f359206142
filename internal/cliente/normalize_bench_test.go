package cliente

import (
	"testing"

	"github.com/kantuta/kantuta/internal/database"
)

func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		database.SearchForm("  MARÍA  José Ñúñez-Cedeño  ")
	}
}
