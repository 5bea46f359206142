package httpapi

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
)

// PathID reads the positive integer path parameter name; anything else is
// the 400 "id debe ser un número entero positivo" of SPEC §12.2 (the Nest
// server answered a SQL error for "abc").
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, NewError(http.StatusBadRequest, name+" debe ser un número entero positivo")
	}
	return id, nil
}
