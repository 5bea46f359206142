package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/kantuta/kantuta/internal/config"
)

// Sender delivers one mail. An error wrapped with Permanent is not retried.
// The worker calls Send from one goroutine at a time.
type Sender interface {
	Send(ctx context.Context, m Mail) error
	// Idle is called when the outbox is empty: a sender may drop a
	// connection it no longer needs.
	Idle()
	Close() error
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying (a rejected recipient, a
// malformed address).
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool { var p permanentError; return errors.As(err, &p) }

// SMTPOptions tune the SMTP sender beyond the configuration.
type SMTPOptions struct {
	Timeout     time.Duration // dial and per-command timeout; default 15 s
	IdleTimeout time.Duration // an unused connection is closed after it; default 30 s
	TLSConfig   *tls.Config   // default: verify the server's certificate for Host
	// Opportunistic makes starttls fall back to plain text when the
	// server offers no STARTTLS (test servers); never use it in production.
	Opportunistic bool
}

// SMTPSender delivers through one SMTP server with go-mail, reusing one
// connection across mails and dialling again when it has gone away.
type SMTPSender struct {
	cfg      config.SMTP
	opts     SMTPOptions
	from     string
	domain   string
	mu       sync.Mutex
	client   *gomail.Client
	lastUsed time.Time
}

// NewSMTPSender checks cfg and builds the sender (it dials on first use).
func NewSMTPSender(cfg config.SMTP, opts SMTPOptions) (*SMTPSender, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp: SMTP_HOST is empty")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp: SMTP_FROM %q: %w", cfg.From, err)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 30 * time.Second
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	return &SMTPSender{cfg: cfg, opts: opts, from: from.String(), domain: domain}, nil
}

func (s *SMTPSender) newClient() (*gomail.Client, error) {
	options := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.opts.Timeout),
	}
	switch s.cfg.TLS {
	case "tls":
		options = append(options, gomail.WithSSL())
	case "none":
		options = append(options, gomail.WithTLSPolicy(gomail.NoTLS))
	default: // starttls
		policy := gomail.TLSMandatory
		if s.opts.Opportunistic {
			policy = gomail.TLSOpportunistic
		}
		options = append(options, gomail.WithTLSPolicy(policy))
	}
	if s.opts.TLSConfig != nil {
		options = append(options, gomail.WithTLSConfig(s.opts.TLSConfig))
	}
	if s.cfg.User != "" {
		options = append(options, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, options...)
}

// build turns an outbox row into a MIME message: text/plain, with a
// text/html alternative when there is one.
func (s *SMTPSender) build(m Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8))
	if err := msg.From(s.from); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := msg.AddToFormat(m.ToName, m.ToEmail); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	// A stable Message-ID: if a crash makes us deliver a mail twice, the
	// receiving side can tell it is the same one.
	msg.SetMessageIDWithValue("outbox-" + strconv.FormatInt(m.ID, 10) + "." +
		strconv.FormatInt(m.CreatedAt.UnixMicro(), 36) + "@" + s.domain)
	msg.SetGenHeader("X-Kantuta-Mail-Id", strconv.FormatInt(m.ID, 10))
	msg.SetBodyString(gomail.TypeTextPlain, m.BodyText)
	if m.BodyHTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.BodyHTML)
	}
	return msg, nil
}

// Send delivers m over the kept connection, dialling when there is none.
// A connection found dead before anything was sent is dialled again once.
func (s *SMTPSender) Send(ctx context.Context, m Mail) error {
	msg, err := s.build(m)
	if err != nil {
		return Permanent(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for try := 0; ; try++ {
		if s.client == nil {
			c, err := s.newClient()
			if err != nil {
				return Permanent(fmt.Errorf("smtp client: %w", err))
			}
			if err := c.DialWithContext(ctx); err != nil {
				return fmt.Errorf("smtp dial %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
			}
			s.client = c
		}
		err = s.client.Send(msg)
		s.lastUsed = time.Now()
		if err == nil {
			return nil
		}
		var se *gomail.SendError
		isSendErr := errors.As(err, &se)
		if isSendErr && se.Reason == gomail.ErrConnCheck && try == 0 {
			// The server closed the idle connection: nothing was sent yet.
			s.dropLocked()
			continue
		}
		if isSendErr {
			switch se.Reason {
			case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
				if code := se.ErrorCode(); code >= 500 && code < 600 {
					return Permanent(fmt.Errorf("smtp: %w", err))
				}
			}
		}
		// Whatever state the session is in, start the next mail afresh.
		s.dropLocked()
		return fmt.Errorf("smtp: %w", err)
	}
}

func (s *SMTPSender) dropLocked() {
	if s.client != nil {
		_ = s.client.Close()
		s.client = nil
	}
}

// Idle closes the connection when it has not been used for IdleTimeout.
func (s *SMTPSender) Idle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil && time.Since(s.lastUsed) > s.opts.IdleTimeout {
		s.dropLocked()
	}
}

// Close ends the connection (QUIT).
func (s *SMTPSender) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropLocked()
	return nil
}

// ConsoleSender is the development mail sink: each mail, body included, is
// printed to Out (stdout), and one structured line without the body goes to
// the log. It never fails.
type ConsoleSender struct {
	Out    io.Writer
	Logger *slog.Logger
	mu     sync.Mutex
}

// Send prints m.
func (c *ConsoleSender) Send(ctx context.Context, m Mail) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Out != nil {
		fmt.Fprintf(c.Out, "----- mail %d (console backend) -----\nTo: %s <%s>\nSubject: %s\n\n%s\n----- end of mail %d -----\n",
			m.ID, m.ToName, m.ToEmail, m.Subject, m.BodyText, m.ID)
	}
	if c.Logger != nil {
		c.Logger.LogAttrs(ctx, slog.LevelInfo, "mail written to the console",
			slog.Int64("mail_id", m.ID), slog.String("kind", m.Kind), slog.String("to", m.ToEmail))
	}
	return nil
}

// Idle does nothing.
func (c *ConsoleSender) Idle() {}

// Close does nothing.
func (c *ConsoleSender) Close() error { return nil }
