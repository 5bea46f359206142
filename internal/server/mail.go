package server

import (
	"context"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/login"
	"github.com/kantuta/kantuta/internal/mail"
)

// mountMail wires the outbox: POST /mail and GET /mail/{id}, the
// password-reset and change-password routes, the outbox metrics, and the
// worker that App.Start runs. a.Mail is the mailer other domains queue
// their system mails with (welcome at registration, inside their own
// transaction: a.Mail.Welcome(ctx, tx, email, name)).
func (a *App) mountMail(r chi.Router) {
	cfg := a.Config
	publicLimit := func() *httpapi.RateLimit {
		return httpapi.NewRateLimit(cfg.RateLimitPublic.Requests, cfg.RateLimitPublic.Per)
	}
	store := a.Mail.Store()
	metrics := mail.NewMetrics(a.Metrics.Registry, store)
	mail.NewHandler(mail.Config{
		System: a.Mail, Validator: a.Validator, Public: cfg.MailPublic, PublicLimit: publicLimit(),
		AccountLimit: httpapi.NewRateLimit(cfg.MailRateLimit.Requests, cfg.MailRateLimit.Per),
	}).Routes(r)
	login.NewResetHandler(login.ResetConfig{
		Store: login.NewResetStore(a.DB), Accounts: a.Usuarios, Hasher: a.Hasher, Mailer: a.Mail,
		Sessions: a.Sessions, Validator: a.Validator, Secret: cfg.JWTSecret, Limit: publicLimit(),
	}).Routes(r)

	logger := a.Logger.With("component", "mail")
	var sender mail.Sender = &mail.ConsoleSender{Out: a.Stdout, Logger: logger}
	if cfg.MailBackend == "smtp" {
		smtp, err := mail.NewSMTPSender(cfg.SMTP, mail.SMTPOptions{})
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
