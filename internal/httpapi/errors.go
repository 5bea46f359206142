// Package httpapi is the HTTP plumbing shared by every route family:
// errors and their three renderers, JSON decoding and encoding, middleware.
// It knows nothing about usuarios, clientes or operators.
package httpapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/kantuta/kantuta/internal/database"
)

// Codes for errors whose wording each family chooses itself.
const (
	CodeTokenMissing = "token_missing"
	CodeTokenInvalid = "token_invalid"
	CodeForbidden    = "forbidden"
	CodeValidation   = "validation"
	CodeMalformed    = "malformed"
	CodeTooLarge     = "too_large"
	CodeMediaType    = "media_type"
	CodeNotFound     = "route_not_found"
	CodeMethod       = "method_not_allowed"
	CodeRateLimited  = "rate_limited"
	CodeUnavailable  = "unavailable"
	CodeInternal     = "internal"
)

// Error is an answer to a failed request. Renderers turn it into the
// family's wire shape; Cause is logged, never sent.
type Error struct {
	Status   int
	Code     string    // see the Code constants; empty for plain domain errors
	Message  string    // one human message
	Messages []string  // validation failures, every one of them
	Problems []Problem // the same failures, by field, when they came from a body
	Body     any       // when set, sent as JSON verbatim (family-specific shapes)
	Header   http.Header
	Cause    error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && len(e.Messages) > 0 {
		msg = fmt.Sprint(e.Messages)
	}
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, msg, e.Cause)
	}
	return fmt.Sprintf("%d %s", e.Status, msg)
}

func (e *Error) Unwrap() error { return e.Cause }

// NewError is an error with a status and a message.
func NewError(status int, message string) *Error { return &Error{Status: status, Message: message} }

// Validation is a 400 listing every failing rule.
func Validation(messages ...string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeValidation, Messages: messages}
}

// Problem is one failing field of a request body.
type Problem struct {
	Field   string // its JSON path: "email", "detalles.0.cantidad"
	Rule    string // the validation tag ("required", "max", "money"…) or a Rule* of the decoder
	Message string // as the family words it
}

// The decoder's rules.
const (
	RuleType    = "type"    // the JSON value has the wrong type
	RuleNUL     = "nul"     // a text holds U+0000
	RuleNull    = "notnull" // a JSON null for a field tagged notnull
	RuleUnknown = "unknown" // the property is not part of the body
)

// Invalid is the 400 of a body's problems, every one of them, in order.
func Invalid(problems ...Problem) *Error {
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = p.Message
	}
	return &Error{Status: http.StatusBadRequest, Code: CodeValidation, Messages: msgs, Problems: problems}
}

// Internal wraps an unexpected failure as a 500 whose cause is only logged.
func Internal(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Cause: cause}
}

// Unavailable is a 503: the database does not answer.
func Unavailable(cause error) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Cause: cause}
}

// AsError turns any error into an *Error (unknown ones become 500s).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if database.IsUnavailable(err) {
		return Unavailable(err)
	}
	return Internal(err)
}
