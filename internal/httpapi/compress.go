package httpapi

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
)

// Compression of answers: gzip, for clients that ask (Accept-Encoding), on
// JSON (and the API docs' pages) over CompressMinSize. The level and the
// threshold were chosen by measurement (docs/performance.md, "Compression"):
// level 1 makes the 202-usuario list 8.8 times smaller at a fraction of the
// cost of the default level, whose answers are only a few percent smaller.
const (
	CompressLevel   = gzip.BestSpeed
	CompressMinSize = 1400 // one TCP segment: smaller answers gain nothing
)

var compressedTypes = []string{
	"application/json", "application/problem+json", "application/yaml",
	"text/html", "text/css", "text/javascript", "application/javascript",
}

// Compress is the middleware that compresses answers (klauspost's gzhttp:
// it negotiates Accept-Encoding with q-values, buffers up to the threshold,
// adds Vary, skips HEAD and answers that set their own Content-Encoding).
// skip names paths it must leave alone (/metrics: scrapers are not
// browsers, and a scraper that asks gets it from the metrics handler).
func Compress(skip ...string) func(http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.CompressionLevel(CompressLevel),
		gzhttp.MinSize(CompressMinSize),
		gzhttp.ContentTypes(compressedTypes),
		gzhttp.EnableZstd(false), // gzip only: one encoding to cache and to test
	)
	if err != nil {
		panic("httpapi: gzhttp options: " + err.Error()) // constant options: a programming error
	}
	return func(next http.Handler) http.Handler {
		compressed := wrap(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, p := range skip {
				if r.URL.Path == p {
					next.ServeHTTP(w, r)
					return
				}
			}
			compressed.ServeHTTP(w, r)
		})
	}
}

// AcceptsGzip reports whether r accepts a gzip answer, as Compress decides
// it: a gzip (or x-gzip, or *) coding with a q-value above 0, an explicit
// gzip;q=0 winning over *. A handler that keeps its answer compressed (the
// usuario list) uses it to send those bytes itself.
func AcceptsGzip(r *http.Request) bool {
	if r.Method == http.MethodHead {
		return false
	}
	star, gz := -1.0, -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "gzip", "x-gzip":
			gz = max(gz, q)
		case "*":
			star = max(star, q)
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}

// Gzip returns b compressed at CompressLevel.
func Gzip(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b)/6 + 64)
	zw, _ := gzip.NewWriterLevel(&out, CompressLevel) // a valid constant level
	_, _ = zw.Write(b)                                // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	return out.Bytes()
}

// WriteJSONEncoded writes a JSON answer held both plain and gzip-compressed
// (a cached list): the compressed bytes to a client that accepts them, the
// plain ones otherwise, with the headers Compress would have set.
func WriteJSONEncoded(w http.ResponseWriter, r *http.Request, plain, gz []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	body := plain
	if gz != nil && len(plain) >= CompressMinSize && AcceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
