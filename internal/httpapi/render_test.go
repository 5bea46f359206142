package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestStreamList(t *testing.T) {
	errDB := Unavailable(errors.New("database gone"))
	cases := []struct {
		name     string
		items    int
		failAt   int // fail when asked for this item (0-based); -1 never
		status   int
		wantBody string // exact body; "" when the connection must be cut
	}{
		{"empty list", 0, -1, 200, `{"status":200,"data":[]}` + "\n"},
		{"three items", 3, -1, 200, `{"status":200,"data":[{"n":0},{"n":1},{"n":2}]}` + "\n"},
		{"error before the first item", 3, 0, 503, ""},
		{"error after the first item", 3, 2, 200, ""},
		{"error after the first flush", 10000, 9000, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(Handle(NestRenderer{}, func(w http.ResponseWriter, r *http.Request) error {
				return StreamList(w, r, `{"status":200,"data":[`, "]}", func(emit func(any) error) error {
					for i := 0; i < tc.items; i++ {
						if i == tc.failAt {
							return errDB
						}
						if err := emit(map[string]int{"n": i}); err != nil {
							return err
						}
					}
					return nil
				})
			}))
			defer srv.Close()
			srv.Config.ErrorLog = nil
			res, err := http.Get(srv.URL)
			if err != nil && tc.failAt > 0 && tc.items < 1000 {
				return // cut before anything was sent: the client sees no answer at all
			}
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, readErr := io.ReadAll(res.Body)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%s)", res.StatusCode, tc.status, body)
			}
			switch {
			case tc.failAt == 0:
				var e map[string]any
				if json.Unmarshal(body, &e) != nil || e["statusCode"] != float64(503) {
					t.Fatalf("want the Nest error shape, got %s", body)
				}
			case tc.failAt > 0:
				// A cut list must not arrive as a complete answer.
				if readErr == nil || json.Valid(body) || strings.HasSuffix(string(body), "]}\n") {
					t.Fatalf("a cut list arrived whole: err %v, body %q", readErr, body)
				}
			default:
				if readErr != nil || string(body) != tc.wantBody || !json.Valid(body) {
					t.Fatalf("body %q (err %v), want %q", body, readErr, tc.wantBody)
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Fatalf("content type %q", ct)
				}
			}
		})
	}
}
