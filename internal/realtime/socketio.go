package realtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// Who may connect (REALTIME_AUTH, SPEC §14.6).
const (
	// AuthOrigin: the Origin must be in CORS_ORIGINS; without an Origin a
	// valid token is required. An offered token must be valid in any case.
	AuthOrigin = "origin"
	// AuthToken: a valid access token is required.
	AuthToken = "token"
	// AuthOff: anyone may connect.
	AuthOff = "off"
)

// EventName is the Socket.IO event every change is announced with.
const EventName = "dataChanged"

// Unauthorized is the connect_error message of a refused connection.
const Unauthorized = "No autorizado"

// ErrRefused is what a Verify function returns for a token that does not
// admit its bearer (invalid, expired, revoked, or of the wrong kind).
var ErrRefused = errors.New("realtime: token refused")

// Options configure the Socket.IO endpoint.
type Options struct {
	// CORSOrigins is CORS_ORIGINS: the origins allowed to connect ("*" any).
	CORSOrigins []string
	// Auth is AuthOrigin (default), AuthToken or AuthOff.
	Auth string
	// Verify checks an access token; nil refuses every token.
	Verify func(ctx context.Context, token string) error
	// HandshakesPerIP and Per bound new sessions per client IP (60/min).
	HandshakesPerIP int
	Per             time.Duration
	// Registry receives the endpoint's metrics; nil: none.
	Registry prometheus.Registerer
	Logger   *slog.Logger
	// PingInterval and PingTimeout default to 25 s and 20 s (tests shorten them).
	PingInterval, PingTimeout time.Duration
}

// Server is the Socket.IO v4 endpoint (Engine.IO v4, polling and WebSocket,
// namespace "/") that announces every event of the bus to every socket. It
// never reads client events.
type Server struct {
	io      *socket.Server
	engine  http.Handler
	opts    Options
	logger  *slog.Logger
	limit   *httpapi.RateLimit
	metrics *metrics
	queue   chan Event
	cancel  func()
	done    chan struct{}
	close   sync.Once
}

// queueSize bounds the events waiting for the emitter; a writer never
// waits for slow sockets, and a full queue drops (and counts) events.
const queueSize = 4096

// NewServer builds the endpoint and subscribes it to bus. Close stops it.
func NewServer(bus *Bus, opts Options) *Server {
	if opts.Auth == "" {
		opts.Auth = AuthOrigin
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.HandshakesPerIP <= 0 {
		opts.HandshakesPerIP, opts.Per = 60, time.Minute
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 25 * time.Second
	}
	if opts.PingTimeout <= 0 {
		opts.PingTimeout = 20 * time.Second
	}
	s := &Server{
		opts:    opts,
		logger:  opts.Logger.With("component", "realtime"),
		limit:   httpapi.NewRateLimit(opts.HandshakesPerIP, opts.Per),
		metrics: newMetrics(opts.Registry),
		queue:   make(chan Event, queueSize),
		done:    make(chan struct{}),
	}

	so := socket.DefaultServerOptions()
	so.SetPath("/socket.io")
	so.SetServeClient(false)
	so.SetPingInterval(opts.PingInterval)
	so.SetPingTimeout(opts.PingTimeout)
	so.SetMaxHttpBufferSize(1_000_000)
	so.SetAllowEIO3(false)
	// Never compressed: answers are a few bytes, and compression of
	// attacker-influenced streams is a risk for nothing.
	so.SetHttpCompression(nil)
	so.SetPerMessageDeflate(nil)
	so.SetCors(corsOptions(opts.CORSOrigins))
	s.io = socket.NewServer(nil, so)
	s.engine = s.io.ServeHandler(nil)

	s.io.Use(s.authorize)
	_ = s.io.On("connection", func(args ...any) {
		sock, ok := args[0].(*socket.Socket)
		if !ok {
			return
		}
		s.metrics.connected()
		_ = sock.On("disconnect", func(...any) { s.metrics.disconnected() })
	})

	unsubscribe := bus.Subscribe(s.enqueue)
	s.cancel = unsubscribe
	go s.emitLoop()
	return s
}

// corsOptions is CORS_ORIGINS for the library's own CORS handling (the
// API's CORS middleware never sees /socket.io/). Credentials only for
// listed origins, as on the API.
func corsOptions(origins []string) *types.Cors {
	wildcard := false
	for _, o := range origins {
		wildcard = wildcard || o == "*"
	}
	c := &types.Cors{
		Methods:        []string{"GET", "POST", "OPTIONS"},
		AllowedHeaders: []string{"Authorization", "Content-Type"},
		Credentials:    !wildcard,
	}
	switch {
	case wildcard:
		c.Origin = "*"
	case len(origins) == 0:
		c.Origin = false // no browser origin at all (production without CORS_ORIGINS)
	default:
		c.Origin = append([]string(nil), origins...)
	}
	return c
}

func (s *Server) enqueue(e Event) {
	select {
	case s.queue <- e:
	default:
		s.metrics.dropped.Inc()
		s.logger.Warn("realtime: event queue full, event dropped", "entity", e.Entity, "action", e.Action)
	}
}

// emitLoop emits in bus order from one goroutine, so that every socket
// sees the events of a transaction in the order they were published.
func (s *Server) emitLoop() {
	defer close(s.done)
	for e := range s.queue {
		s.io.Emit(EventName, Event{Entity: e.Entity, Action: e.Action})
		s.metrics.events.Inc()
	}
}

// ServeHTTP serves /socket.io/: new sessions (no sid) are rate-limited per
// client IP, then the engine takes the request as is (no JSON rules, no
// deadline: long-polls last up to the ping interval, WebSockets hijack).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if rec := recover(); rec != nil {
			if rec == http.ErrAbortHandler {
				panic(rec)
			}
			s.logger.Error("realtime: panic", "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		}
	}()
	if r.URL.Query().Get("sid") == "" && r.Method != http.MethodOptions {
		if ok, _ := s.limit.Allow(w, r); !ok {
			s.metrics.refused.WithLabelValues("rate_limited").Inc()
			httpapi.NestRenderer{}.RenderError(w, r, &httpapi.Error{Status: http.StatusTooManyRequests, Code: httpapi.CodeRateLimited})
			return
		}
	}
	s.engine.ServeHTTP(w, r)
}

// authorize is the namespace middleware: it decides with the handshake's
// Origin and token (auth.token, Authorization: Bearer, accessToken cookie).
func (s *Server) authorize(sock *socket.Socket, next func(*socket.ExtendedError)) {
	hs := sock.Handshake()
	var h http.Header
	var auth map[string]any
	if hs != nil {
		h = hs.Headers.Header()
		auth = hs.Auth
	}
	if reason := s.decide(h, auth); reason != "" {
		s.metrics.refused.WithLabelValues(reason).Inc()
		s.logger.Debug("realtime: connection refused", "reason", reason)
		next(socket.NewExtendedError(Unauthorized, nil))
		return
	}
	next(nil)
}

// decide returns "" to admit, else the reason of the refusal (for metrics).
func (s *Server) decide(h http.Header, auth map[string]any) string {
	if s.opts.Auth == AuthOff {
		return ""
	}
	token, offered := tokenOf(h, auth)
	if offered {
		if token == "" || s.opts.Verify == nil {
			return "bad_token"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.opts.Verify(ctx, token); err != nil {
			return "bad_token"
		}
	}
	if s.opts.Auth == AuthToken {
		if !offered {
			return "no_token"
		}
		return ""
	}
	origin := h.Get("Origin")
	if origin == "" {
		if !offered {
			return "no_origin"
		}
		return ""
	}
	if !s.originAllowed(origin) {
		return "origin"
	}
	return ""
}

func (s *Server) originAllowed(origin string) bool {
	for _, o := range s.opts.CORSOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// tokenOf finds the token a client offers, in the order SPEC §14.6 lists;
// offered is true when one of the three places holds something at all.
func tokenOf(h http.Header, auth map[string]any) (token string, offered bool) {
	if v, ok := auth["token"]; ok && v != nil {
		str, _ := v.(string)
		str = strings.TrimPrefix(strings.TrimSpace(str), "Bearer ")
		return strings.TrimSpace(str), true
	}
	if a := h.Get("Authorization"); a != "" {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(a), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", true
		}
		return strings.TrimSpace(tok), true
	}
	if c := h.Get("Cookie"); c != "" {
		r := http.Request{Header: http.Header{"Cookie": {c}}}
		if ck, err := r.Cookie("accessToken"); err == nil {
			return ck.Value, true
		}
	}
	return "", false
}

// Close disconnects every socket and stops the emitter. Safe to call twice.
func (s *Server) Close() {
	s.close.Do(func() {
		s.cancel()
		close(s.queue)
		<-s.done
		s.io.Close(nil)
	})
}
