package httpapi

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	cases := []struct {
		method, header string
		want           bool
	}{
		{"GET", "", false},
		{"GET", "gzip", true},
		{"GET", "GZIP", true},
		{"GET", "x-gzip", true},
		{"GET", "gzip, deflate, br, zstd", true},
		{"GET", "br;q=1.0, gzip;q=0.8, *;q=0.1", true},
		{"GET", "gzip;q=0", false},
		{"GET", "gzip; q=0.0", false},
		{"GET", "*", true},
		{"GET", "*;q=0", false},
		{"GET", "*, gzip;q=0", false},
		{"GET", "identity", false},
		{"GET", "br", false},
		{"GET", "gzip;q=nonsense", false},
		{"HEAD", "gzip", false},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, "/", nil)
		r.Header.Set("Accept-Encoding", c.header)
		if got := AcceptsGzip(r); got != c.want {
			t.Errorf("%s %q: %v, want %v", c.method, c.header, got, c.want)
		}
	}
}

func TestCompress(t *testing.T) {
	big := `{"data":"` + strings.Repeat("kantuta ", 1000) + `"}`
	h := Compress("/metrics")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			WriteJSONBytes(w, http.StatusOK, []byte(`{"ok":true}`))
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, big)
		default:
			WriteJSONBytes(w, http.StatusOK, []byte(big))
		}
	}))
	cases := []struct {
		path, ae string
		gzipped  bool
	}{
		{"/big", "gzip", true},
		{"/big", "", false},
		{"/big", "gzip;q=0", false},
		{"/small", "gzip", false},
		{"/metrics", "gzip", false},
		{"/metrics", "", false},
		{"/text", "gzip", false},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", c.path, nil)
		if c.ae != "" {
			r.Header.Set("Accept-Encoding", c.ae)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		body := w.Body.Bytes()
		if got := w.Header().Get("Content-Encoding") == "gzip"; got != c.gzipped {
			t.Fatalf("%s %q: gzip %v, want %v", c.path, c.ae, got, c.gzipped)
		}
		if c.gzipped {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, _ = io.ReadAll(zr); len(w.Body.Bytes())*10 > len(body) {
				t.Errorf("%s: %d → %d bytes, expected far smaller", c.path, len(body), w.Body.Len())
			}
		}
		if c.path == "/big" && string(body) != big+"\n" {
			t.Errorf("%s %q: body changed", c.path, c.ae)
		}
	}
}

func TestWriteJSONEncoded(t *testing.T) {
	plain := []byte(strings.Repeat("x", CompressMinSize))
	gz := Gzip(plain)
	for _, ae := range []string{"gzip", ""} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", ae)
		w := httptest.NewRecorder()
		WriteJSONEncoded(w, r, plain, gz)
		want := plain
		if ae == "gzip" {
			want = gz
		}
		if !bytes.Equal(w.Body.Bytes(), want) || w.Header().Get("Content-Length") != strconv.Itoa(len(want)) {
			t.Errorf("%q: %d bytes, Content-Length %s", ae, w.Body.Len(), w.Header().Get("Content-Length"))
		}
	}
}
