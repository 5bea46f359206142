// Package apidocs serves the API as people meet it in a browser: the
// OpenAPI document (GET /openapi.yaml), an interactive page rendered from it
// by Swagger UI (GET /docs, its files under /docs/…), and the old Nest
// Swagger address (GET /api → /docs). Everything is embedded in the binary:
// the page works offline and loads nothing from any other host.
package apidocs

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

//go:embed assets/index.html assets/init.js assets/favicon-32x32.png assets/swagger-ui-bundle.js.gz assets/swagger-ui.css.gz
var assets embed.FS

// pageCSP lets the page load only its own files and call only this server
// ("try it out"); Swagger UI sets inline styles, never inline scripts.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; " +
	"base-uri 'self'; frame-ancestors 'none'; form-action 'self'"

// asset is one file of the page.
type asset struct {
	contentType string
	gzipped     bool   // body holds the gzip encoding of the file
	body        []byte // as stored
	etag        string

	once  sync.Once
	plain []byte // inflated on first need, for clients that do not take gzip
}

func (a *asset) inflated() []byte {
	a.once.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(a.body))
		if err != nil {
			panic(fmt.Sprintf("apidocs: embedded asset is not gzip: %v", err)) // a broken build
		}
		a.plain, err = io.ReadAll(zr)
		if err != nil {
			panic(fmt.Sprintf("apidocs: embedded asset does not inflate: %v", err))
		}
	})
	return a.plain
}

// Handler serves the document and the page.
type Handler struct {
	spec  *asset
	page  *asset
	files map[string]*asset // by the name after /docs/
}

// New builds the handler around the OpenAPI document spec (api.Spec).
func New(spec []byte) *Handler {
	h := &Handler{
		spec:  newAsset("application/yaml; charset=utf-8", false, spec),
		page:  newAsset("text/html; charset=utf-8", false, mustRead("assets/index.html")),
		files: map[string]*asset{},
	}
	for name, ct := range map[string]string{
		"swagger-ui-bundle.js": "application/javascript; charset=utf-8",
		"swagger-ui.css":       "text/css; charset=utf-8",
		"init.js":              "application/javascript; charset=utf-8",
		"favicon-32x32.png":    "image/png",
	} {
		if raw, err := assets.ReadFile("assets/" + name + ".gz"); err == nil {
			h.files[name] = newAsset(ct, true, raw)
			continue
		}
		h.files[name] = newAsset(ct, false, mustRead("assets/"+name))
	}
	return h
}

func mustRead(name string) []byte {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("apidocs: %s is not embedded: %v", name, err))
	}
	return b
}

func newAsset(contentType string, gzipped bool, body []byte) *asset {
	sum := sha256.Sum256(body)
	return &asset{contentType: contentType, gzipped: gzipped, body: body,
		etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// Spec serves GET /openapi.yaml.
func (h *Handler) Spec(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Access-Control-Allow-Origin", "*") // a public document; lets other tools load it
	h.serve(w, r, h.spec)
}

// Page serves GET /docs.
func (h *Handler) Page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", pageCSP)
	w.Header().Set("Cache-Control", "no-cache")
	h.serve(w, r, h.page)
}

// Asset serves GET /docs/{asset}. It reports false for an unknown name,
// leaving the 404 to the caller's renderer.
func (h *Handler) Asset(w http.ResponseWriter, r *http.Request, name string) bool {
	a, ok := h.files[name]
	if !ok {
		return false
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	h.serve(w, r, a)
	return true
}

// Redirect serves GET /api.
func (h *Handler) Redirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/docs", http.StatusFound)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, a *asset) {
	body, etag := a.body, a.etag
	hd := w.Header()
	if a.gzipped {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			hd.Set("Content-Encoding", "gzip")
			etag = strings.TrimSuffix(etag, `"`) + `-gz"`
		} else {
			body = a.inflated()
		}
	}
	hd.Set("Content-Type", a.contentType)
	hd.Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a q-value above 0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		return q > 0
	}
	return false
}
