package server

import (
	"context"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/mail"
)

// mountMail wires the outbox: POST /mail and GET /mail/{id}, the
// password-reset and change-password routes, the outbox metrics, and the
// worker that App.Start runs. a.Mail is the mailer other domains queue
// their system mails with (welcome at registration, inside their own
// transaction: a.Mail.Welcome(ctx, tx, email, name)).
func (a *App) mountMail(r chi.Router) {
	store := a.Mail.Store()
	metrics := mail.NewMetrics(a.Metrics.Registry, store)

	(&mail.Handler{System: a.Mail, Public: a.Config.MailPublic, PublicLimit: a.Config.RateLimitPublic,
		AccountLimit: a.Config.MailRateLimit, Validator: a.Validator}).Routes(r)
	(&auth.ResetHandler{
		DB:            a.DB.DB,
		Accounts:      a.Usuarios,
		Hasher:        a.Hasher,
		Mailer:        a.Mail,
		Sessions:      a.Sessions,
		Authenticator: a.Authenticator,
		Secret:        a.Config.JWTSecret,
		LimitRequests: a.Config.RateLimitPublic.Requests,
		LimitPer:      a.Config.RateLimitPublic.Per,
		Validator:     a.Validator,
	}).Routes(r)

	logger := a.Logger.With("component", "mail")
	if a.Config.MailBackend != "smtp" {
		a.workers = append(a.workers, func(ctx context.Context) {
			// Read at start: tests point Stdout at a buffer after New.
			sender := &mail.ConsoleSender{Out: a.Stdout, Logger: logger}
			mail.NewWorker(store, sender, mail.WorkerOptions{Logger: logger, Metrics: metrics}).Run(ctx)
		})
		return
	}
	var sender mail.Sender
	{
		smtp, err := mail.NewSMTPSender(a.Config.SMTP, mail.SMTPOptions{})
		if err != nil {
			// Mails stay queued (durably) until the configuration is fixed.
			logger.Error("mail worker not started: bad SMTP configuration", "error", err)
			return
		}
		sender = smtp
	}
	a.workers = append(a.workers, func(ctx context.Context) {
		mail.NewWorker(store, sender, mail.WorkerOptions{Logger: logger, Metrics: metrics}).Run(ctx)
	})
}
