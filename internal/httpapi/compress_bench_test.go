package httpapi

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// usuarioListSample is a GET /usuario answer of n usuarios with varied
// names, emails and dates (not the bench's repetitive ones, which compress
// far better than a real shop's staff).
func usuarioListSample(n int) []byte {
	rng := rand.New(rand.NewSource(19))
	names := []string{"María", "José", "Ana", "Luis", "Rosa", "Juan", "Elena", "Carlos", "Lucía", "Jorge", "Ruddy", "Wilma"}
	last := []string{"Quispe", "Mamani", "Condori", "Choque", "Flores", "Gutiérrez", "Rojas", "Vargas", "Huanca", "Limachi"}
	var b bytes.Buffer
	b.WriteString(`{"status":200,"message":"Listado de usuarios registradas!","data":[`)
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		nm, ap := names[rng.Intn(len(names))], last[rng.Intn(len(last))]
		ts := fmt.Sprintf("2026-%02d-%02dT%02d:%02d:%02d.%03dZ", 1+rng.Intn(12), 1+rng.Intn(28), rng.Intn(24), rng.Intn(60), rng.Intn(60), rng.Intn(1000))
		fmt.Fprintf(&b, `{"id":%d,"name":"%s.%s%d","email":"%s.%s%d@tienda%d.bo","estado":true,"id_user_create":%d,"id_user_update":null,`+
			`"created_at":"%s","updated_at":"%s","persona":{"id":%d,"nombres":"%s","p_apellido":"%s","s_apellido":"%s",`+
			`"fecha_nacimiento":"19%02d-%02d-%02d","genero":"%s","estado":true,"id_user_create":null,"id_user_update":null,`+
			`"created_at":"%s","updated_at":"%s"},"role":{"id":%d,"nombre":"user","descripcion":"Cajero estándar"}}`,
			i, nm, ap, rng.Intn(100), nm, ap, rng.Intn(1000), rng.Intn(9), 1+rng.Intn(3), ts, ts, i, nm, ap, last[rng.Intn(len(last))],
			60+rng.Intn(40), 1+rng.Intn(12), 1+rng.Intn(28), []string{"M", "F", "O"}[rng.Intn(3)], ts, ts, 1+rng.Intn(3))
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

// BenchmarkGzipLevel: the cost and the size of each gzip level on the
// 202-usuario list; CompressLevel was chosen from it (docs/performance.md).
//
//	go test -run XXX -bench GzipLevel ./internal/httpapi/
func BenchmarkGzipLevel(b *testing.B) {
	body := usuarioListSample(202)
	for _, level := range []int{gzip.BestSpeed, 3, gzip.DefaultCompression, 6, gzip.BestCompression} {
		b.Run(fmt.Sprintf("level=%d", level), func(b *testing.B) {
			var out bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&out, level)
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				out.Reset()
				zw.Reset(&out)
				_, _ = zw.Write(body)
				_ = zw.Close()
			}
			b.ReportMetric(float64(out.Len()), "bytes-out")
			b.ReportMetric(float64(len(body))/float64(out.Len()), "ratio")
		})
	}
}
