package httpapi

import "net/http"

// HandlerFunc is the shape of every handler in every family: it writes its
// answer, or returns an error that the family's renderer maps to the wire.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle adapts fn to net/http: a returned error is logged when the server
// is at fault and rendered in rd's shape, in this one place.
func Handle(rd Renderer, fn HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			Fail(w, r, rd, err)
		}
	}
}
