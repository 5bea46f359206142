package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

type ctxKey int

const (
	keyRequest ctxKey = iota
)

// requestState travels in the context so that inner layers (authentication)
// can tell the access log who the caller was.
type requestState struct {
	id     string
	base   *slog.Logger
	once   sync.Once
	logger *slog.Logger // base with the request id, made when first asked for
	userID string
}

func (st *requestState) log() *slog.Logger {
	st.once.Do(func() { st.logger = st.base.With("request_id", st.id) })
	return st.logger
}

// RequestID returns the id of the request in ctx ("" outside a request).
func RequestID(ctx context.Context) string {
	if st, ok := ctx.Value(keyRequest).(*requestState); ok {
		return st.id
	}
	return ""
}

// LoggerFrom returns the request's logger (with its request id), or the default.
func LoggerFrom(ctx context.Context) *slog.Logger {
	if st, ok := ctx.Value(keyRequest).(*requestState); ok {
		return st.log()
	}
	return slog.Default()
}

// SetUser records the authenticated caller for the access log.
func SetUser(ctx context.Context, id string) {
	if st, ok := ctx.Value(keyRequest).(*requestState); ok {
		st.userID = id
	}
}

// RendererFor picks the error renderer of the family a request belongs to.
type RendererFor func(*http.Request) Renderer

// RequestLog gives every request an id (a sane incoming X-Request-Id is
// kept), a logger carrying it, and one structured access-log line.
func RequestLog(base *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Request-Id")
			if !saneID(id) {
				id = newID()
			}
			// Most requests log one line, the access log below: the logger
			// with the request id is made only for handlers that log more.
			st := &requestState{id: id, base: base}
			w.Header().Set("X-Request-Id", id)
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			start := time.Now()
			next.ServeHTTP(ww, r.WithContext(context.WithValue(r.Context(), keyRequest, st)))
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			if !base.Enabled(r.Context(), level) {
				return
			}
			attrs := []slog.Attr{
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("route", RoutePattern(r)),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.Int("bytes", ww.BytesWritten()),
			}
			if st.userID != "" {
				attrs = append(attrs, slog.String("user_id", st.userID))
			}
			base.LogAttrs(r.Context(), level, "request", attrs...)
		})
	}
}

// RoutePattern is the chi pattern that served r ("/usuario/{id}"), never
// the raw path, so logs and metrics hold no ids or tokens.
func RoutePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" {
			return p
		}
	}
	return "unmatched"
}

func saneID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Recover turns a panic into a 500 in the family's shape; the stack goes to
// the log only.
func Recover(renderer RendererFor) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if rec := recover(); rec != nil {
					if rec == http.ErrAbortHandler {
						panic(rec)
					}
					LoggerFrom(r.Context()).Error("panic", "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
					renderer(r).RenderError(w, r, Internal(fmt.Errorf("panic: %v", rec)))
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// Deadline bounds the work of each request to d (0: no bound): the
// database calls made with the request's context give up at the deadline,
// and the request answers 503 (database.IsUnavailable) instead of hanging on a
// database that stopped answering.
func Deadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if d <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// SecurityHeaders sets the headers every JSON API answer should carry.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// LimitBody refuses bodies over MaxBodyBytes with 413, and bodies that are
// not JSON with 415, on the methods that carry one.
func LimitBody(renderer RendererFor) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Method {
			case http.MethodPost, http.MethodPut, http.MethodPatch:
			default:
				next.ServeHTTP(w, r)
				return
			}
			if r.ContentLength > MaxBodyBytes {
				w.Header().Set("Connection", "close")
				renderer(r).RenderError(w, r, TooLarge())
				drainBody(w, r, r.Body)
				return
			}
			// ContentLength is -1 for a chunked body: that is a body too.
			if r.ContentLength != 0 {
				mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
				if err != nil || (mt != "application/json" && !isJSONSuffix(mt)) {
					renderer(r).RenderError(w, r, &Error{Status: http.StatusUnsupportedMediaType, Code: CodeMediaType})
					return
				}
			}
			body := &limitedBody{ReadCloser: http.MaxBytesReader(w, r.Body, MaxBodyBytes), orig: r.Body}
			r.Body = body
			next.ServeHTTP(w, r)
			if body.exceeded {
				// A chunked (or mislabelled) body ran over: the 413 is written,
				// now let the client finish sending so that it can read it.
				drainBody(w, r, body.orig)
			}
		})
	}
}

// How much of an oversized body is read and thrown away after the 413, so
// that a client that writes its whole body before reading its answer
// (Python's urllib, many HTTP libraries) gets the 413 and not a broken
// pipe: closing a socket with unread data makes the kernel send a reset,
// which destroys the answer in flight. Bounded in bytes and in time, so an
// endless or slow body costs at most this much.
const (
	drainMaxBytes = 8 << 20
	drainMaxTime  = 5 * time.Second
)

// drainBody sends what was written so far and reads body to its end,
// drainMaxBytes or drainMaxTime, whichever comes first. A client that asked
// "Expect: 100-continue" was never told to send its body: nothing to read.
func drainBody(w http.ResponseWriter, r *http.Request, body io.Reader) {
	if strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	if err := rc.SetReadDeadline(time.Now().Add(drainMaxTime)); err != nil {
		return // no way to bound the time: let the server close as before
	}
	// 64 KiB reads (io.Discard alone would read 8 KiB at a time).
	buf := make([]byte, 64<<10)
	_, _ = io.CopyBuffer(struct{ io.Writer }{io.Discard}, io.LimitReader(body, drainMaxBytes), buf)
	_ = rc.SetReadDeadline(time.Time{})
}

// limitedBody is the request body behind http.MaxBytesReader, remembering
// whether the limit was hit (and the raw body, to drain it then).
type limitedBody struct {
	io.ReadCloser
	orig     io.Reader
	exceeded bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooLarge *http.MaxBytesError
	if err != nil && errors.As(err, &tooLarge) {
		b.exceeded = true
	}
	return n, err
}

func isJSONSuffix(mt string) bool {
	return len(mt) > 5 && mt[len(mt)-5:] == "+json"
}

// RetryAfter sets the Retry-After header in whole seconds (at least 1).
func RetryAfter(h http.Header, d time.Duration) int {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	h.Set("Retry-After", strconv.Itoa(secs))
	return secs
}
