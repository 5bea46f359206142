package database

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// IsUnavailable reports whether err means the database could not be reached
// or kept refusing a transaction (ErrContention), as opposed to a query
// that failed: such requests answer 503.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrContention) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"failed to connect", "connection refused", "conn closed", "broken pipe",
		"server closed the connection", "connection reset", "SQLSTATE 57P01", "SQLSTATE 57P03", "database is locked"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
