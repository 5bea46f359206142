package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/kantuta/kantuta/internal/jsonappend"
)

// Renderer writes an *Error in one route family's wire shape.
type Renderer interface {
	RenderError(w http.ResponseWriter, r *http.Request, e *Error)
}

// Fail logs an error (with its cause when the server is at fault) and renders it.
func Fail(w http.ResponseWriter, r *http.Request, rd Renderer, err error) {
	e := AsError(err)
	if e.Status >= 500 {
		LoggerFrom(r.Context()).Error("request failed", "status", e.Status, "error", e.Error())
	}
	for k, vs := range e.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	rd.RenderError(w, r, e)
}

// WriteJSON writes v as JSON with the given status; a value that writes
// its own JSON (jsonappend.Appender) skips reflection.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	if a, ok := v.(jsonappend.Appender); ok {
		WriteJSONBytes(w, status, a.AppendJSON(make([]byte, 0, 4<<10)))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Debug("write response", "error", err)
	}
}

var newline = []byte{'\n'}

// WriteJSONBytes writes body, already JSON, with the given status and the
// newline WriteJSON's encoder ends with: for answers written by hand
// (jsonappend), byte for byte what WriteJSON would send.
func WriteJSONBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	// Two writes (net/http buffers them): body may be shared, kept bytes
	// that must not be appended to.
	_, err := w.Write(body)
	if err == nil {
		_, err = w.Write(newline)
	}
	if err != nil {
		slog.Debug("write response", "error", err)
	}
}

// StreamList answers 200 with a JSON list written as it is produced: open
// (`[`, or e.g. `{"status":200,"message":"…","data":[` for a wrapped list),
// then each item as each emits it, then closing (`]` or `]}`), so that a
// long list is never held whole in memory. An error before the first item
// is returned, for the handler to return (an ordinary error answer); one
// after it aborts the connection, so that a cut list never looks complete.
func StreamList(w http.ResponseWriter, r *http.Request, open, closing string, each func(emit func(item any) error) error) error {
	// Each item goes through a scratch buffer so that the encoder's newline
	// can be dropped: the bytes are those WriteJSON would have sent. Items
	// that write their own JSON (jsonappend.Appender) skip reflection.
	var item bytes.Buffer
	var own []byte
	enc := json.NewEncoder(&item)
	return StreamJSON(w, r, open, closing, func(emit func([]byte) error) error {
		return each(func(v any) error {
			if a, ok := v.(jsonappend.Appender); ok {
				own = a.AppendJSON(own[:0])
				return emit(own)
			}
			item.Reset()
			if err := enc.Encode(v); err != nil {
				return err
			}
			return emit(bytes.TrimSuffix(item.Bytes(), []byte("\n")))
		})
	})
}

// StreamJSON is StreamList for items each already encodes as JSON (a hot
// list that writes its own bytes, as inventario's productos).
func StreamJSON(w http.ResponseWriter, r *http.Request, open, closing string, each func(emit func(item []byte) error) error) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	started := false
	start := func() {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = bw.WriteString(open)
		started = true
	}
	err := each(func(item []byte) error {
		if !started {
			start()
		} else if err := bw.WriteByte(','); err != nil {
			return err
		}
		_, err := bw.Write(item)
		return err
	})
	if err != nil && !started {
		return err
	}
	if err != nil {
		LoggerFrom(r.Context()).Error("list cut short", "error", err)
		panic(http.ErrAbortHandler)
	}
	if !started {
		start()
	}
	_, _ = bw.WriteString(closing + "\n")
	_ = bw.Flush()
	return nil
}

// WriteText writes a text/plain body.
func WriteText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// NestRenderer answers like the Kantuta NestJS server's exception filter:
// {"statusCode","message","error","error_detail","timestamp","path"}.
type NestRenderer struct{}

func (NestRenderer) RenderError(w http.ResponseWriter, r *http.Request, e *Error) {
	if e.Body != nil {
		WriteJSON(w, e.Status, e.Body)
		return
	}
	body := map[string]any{
		"statusCode":   e.Status,
		"error":        http.StatusText(e.Status),
		"error_detail": http.StatusText(e.Status),
		"timestamp":    FormatTime(time.Now()),
		"path":         r.URL.Path,
	}
	switch {
	case len(e.Messages) > 0:
		body["message"] = e.Messages
	case e.Message != "":
		body["message"] = e.Message
	default:
		body["message"] = nestDefault(e)
	}
	if e.Status >= 500 {
		body["request_id"] = RequestID(r.Context())
	}
	WriteJSON(w, e.Status, body)
}

func nestDefault(e *Error) string {
	switch e.Code {
	case CodeTokenMissing, CodeTokenInvalid:
		return "Unauthorized"
	case CodeForbidden:
		return "Forbidden resource"
	case CodeMalformed:
		return "El cuerpo de la solicitud no es un JSON válido"
	case CodeTooLarge:
		return "El cuerpo de la solicitud supera el máximo de 1 MiB"
	case CodeMediaType:
		return "Content-Type debe ser application/json"
	case CodeNotFound:
		return "Cannot " + "find the requested route"
	case CodeMethod:
		return "Método no permitido"
	case CodeRateLimited:
		return "Demasiadas solicitudes, intente más tarde"
	case CodeUnavailable:
		return "Servicio no disponible temporalmente"
	case CodeInternal:
		return "Internal server error"
	}
	if text := http.StatusText(e.Status); text != "" {
		return text
	}
	return "Error" // a status without a standard text: never an empty message
}

// ClientesRenderer answers like the Ecuadorian customers API: {"errors":[…]}
// for validation, {"message":…} for everything else.
type ClientesRenderer struct{}

func (ClientesRenderer) RenderError(w http.ResponseWriter, r *http.Request, e *Error) {
	if e.Body != nil {
		WriteJSON(w, e.Status, e.Body)
		return
	}
	if len(e.Messages) > 0 {
		WriteJSON(w, e.Status, map[string]any{"errors": e.Messages})
		return
	}
	msg := e.Message
	switch {
	case e.Code == CodeTokenMissing:
		msg = "Token no proporcionado"
	case e.Code == CodeTokenInvalid:
		msg = "Token inválido o expirado"
	case e.Code == CodeForbidden && msg == "":
		msg = "No tiene permisos para esta operación"
	case e.Code == CodeUnavailable:
		msg = "Servicio no disponible temporalmente"
	case e.Status >= 500:
		WriteJSON(w, e.Status, map[string]any{
			"message":    "Error interno al procesar solicitud",
			"request_id": RequestID(r.Context()),
		})
		return
	case msg == "":
		msg = nestDefault(e)
	}
	WriteJSON(w, e.Status, map[string]any{"message": msg})
}

// PlainRenderer answers like the Ambrosia server: text/plain messages, but
// JSON {"message"} for authentication, authorization and conflicts.
type PlainRenderer struct{}

func (PlainRenderer) RenderError(w http.ResponseWriter, r *http.Request, e *Error) {
	if e.Body != nil {
		WriteJSON(w, e.Status, e.Body)
		return
	}
	switch {
	case e.Code == CodeTokenMissing || e.Code == CodeTokenInvalid:
		WriteJSON(w, e.Status, map[string]any{"message": "Unauthorized API access"})
		return
	case e.Code == CodeForbidden:
		WriteJSON(w, e.Status, map[string]any{"message": "Permission required"})
		return
	case e.Status == http.StatusConflict || e.Status == http.StatusTooManyRequests:
		msg := e.Message
		if msg == "" {
			msg = nestDefault(e)
		}
		WriteJSON(w, e.Status, map[string]any{"message": msg})
		return
	case e.Status >= 500:
		w.Header().Set("X-Request-Id", RequestID(r.Context()))
		WriteText(w, e.Status, "Internal server error (request id "+RequestID(r.Context())+")")
		return
	}
	msg := e.Message
	if msg == "" && len(e.Messages) > 0 {
		msg = e.Messages[0]
	}
	if msg == "" {
		msg = plainDefault(e)
	}
	WriteText(w, e.Status, msg)
}

// plainDefault words the plumbing's errors in English, as Ambrosia did.
func plainDefault(e *Error) string {
	switch e.Code {
	case CodeMalformed:
		return "Invalid request body: a JSON object is expected"
	case CodeTooLarge:
		return "Request body too large (1 MiB at most)"
	case CodeMediaType:
		return "Content-Type must be application/json"
	case CodeMethod:
		return "Method not allowed"
	case CodeUnavailable:
		return "Service temporarily unavailable"
	}
	if t := http.StatusText(e.Status); t != "" {
		return t
	}
	return "Error"
}
