package testkit

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// SMTPSink is a real SMTP server on loopback that keeps what it receives;
// it can be stopped and started again on the same port (an SMTP outage).
type SMTPSink struct {
	Host string
	Port int
	t    testing.TB
	mu   sync.Mutex
	srv  *smtp.Server
	l    net.Listener
	msgs []ReceivedMail
	sess int
}

// ReceivedMail is one delivered message, parsed.
type ReceivedMail struct {
	From   string
	To     []string
	Raw    []byte
	Header mail.Header
	Text   string // the text/plain part, decoded
	HTML   string // the text/html part, decoded
	Parts  []string
}

// NewSMTPSink starts a sink; it is stopped when the test ends.
func NewSMTPSink(t testing.TB) *SMTPSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtp sink: %v", err)
	}
	s := &SMTPSink{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, t: t}
	s.serve(l)
	t.Cleanup(s.Stop)
	return s
}

// Env points the application at the sink (SMTP without TLS).
func (s *SMTPSink) Env() map[string]string {
	return map[string]string{
		"MAIL_BACKEND": "smtp", "SMTP_HOST": s.Host, "SMTP_PORT": strconv.Itoa(s.Port),
		"SMTP_TLS": "none", "SMTP_FROM": "Kantuta POS <no-reply@kantuta.test>",
	}
}

func (s *SMTPSink) serve(l net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.sess++
		s.mu.Unlock()
		return &sinkSession{sink: s}, nil
	}))
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	s.mu.Lock()
	s.srv, s.l = srv, l
	s.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

// Stop closes the listener and every open connection: the server is down.
func (s *SMTPSink) Stop() {
	s.mu.Lock()
	srv, l := s.srv, s.l
	s.srv, s.l = nil, nil
	s.mu.Unlock()
	if l != nil {
		_ = l.Close() // Serve may not have taken it over yet
	}
	if srv != nil {
		_ = srv.Close()
	}
}

// Start brings a stopped sink back on the same port.
func (s *SMTPSink) Start() {
	s.t.Helper()
	var (
		l   net.Listener
		err error
	)
	for i := 0; i < 50; i++ {
		if l, err = net.Listen("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port))); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("smtp sink restart: %v", err)
	}
	s.serve(l)
}

// Connections counts the SMTP sessions opened so far.
func (s *SMTPSink) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sess
}

// Messages returns what was delivered so far.
func (s *SMTPSink) Messages() []ReceivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceivedMail(nil), s.msgs...)
}

// WaitFor waits until at least n messages arrived (failing the test after
// timeout) and returns them all.
func (s *SMTPSink) WaitFor(n int, timeout time.Duration) []ReceivedMail {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs := s.Messages()
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("smtp sink: %d messages after %s, want %d", len(msgs), timeout, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type sinkSession struct {
	sink *SMTPSink
	from string
	to   []string
}

func (x *sinkSession) Reset()        { x.from, x.to = "", nil }
func (x *sinkSession) Logout() error { return nil }
func (x *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := ReceivedMail{From: x.from, To: append([]string(nil), x.to...), Raw: raw}
	if err := parseMail(&m); err != nil {
		return fmt.Errorf("sink: unparsable message: %w", err)
	}
	x.sink.mu.Lock()
	x.sink.msgs = append(x.sink.msgs, m)
	x.sink.mu.Unlock()
	return nil
}

func parseMail(m *ReceivedMail) error {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return err
	}
	m.Header = msg.Header
	return walkPart(m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

func walkPart(m *ReceivedMail, ctype, cte string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walkPart(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(cte) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m.Parts = append(m.Parts, mt)
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}
