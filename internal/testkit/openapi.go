package testkit

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/kantuta/kantuta/api"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/server"
)

// EnvValidateOpenAPI: every testkit.App checks every response against
// api/openapi.yaml, as if each test had called ValidateResponses; setting
// it to 0 turns that off (e.g. while drafting a new route).
const EnvValidateOpenAPI = "KANTUTA_VALIDATE_OPENAPI"

// specHost is the server URL the spec is loaded with; requests are matched
// against it whatever port the test server listens on.
const specHost = "http://kantuta.test"

// OpenAPI is the loaded document with a router over its paths.
type OpenAPI struct {
	Doc    *openapi3.T
	router routers.Router
}

var (
	specOnce sync.Once
	spec     *OpenAPI
	specErr  error
)

// LoadOpenAPI loads and validates api/openapi.yaml once per test binary.
func LoadOpenAPI() (*OpenAPI, error) {
	specOnce.Do(func() {
		registerDecoders()
		doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
		if err != nil {
			specErr = fmt.Errorf("load openapi.yaml: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			specErr = fmt.Errorf("openapi.yaml is invalid: %w", err)
			return
		}
		doc.Servers = openapi3.Servers{{URL: specHost}}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			specErr = fmt.Errorf("route openapi.yaml: %w", err)
			return
		}
		spec = &OpenAPI{Doc: doc, router: router}
	})
	return spec, specErr
}

// registerDecoders teaches kin-openapi the media types of the docs page;
// their bodies are checked as opaque strings.
func registerDecoders() {
	for _, ct := range []string{"text/html", "text/css", "application/javascript", "image/png"} {
		if openapi3filter.RegisteredBodyDecoder(ct) == nil {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
		}
	}
}

// ValidateResponses makes every later request through this App fail t
// when its response does not match api/openapi.yaml: an undocumented
// status, a body that breaks its schema, a missing required header.
func (a *App) ValidateResponses(t testing.TB) {
	t.Helper()
	s, err := LoadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	a.openapi = s
	a.mu.Unlock()
}

// checkResponse is the hook Do calls after every exchange.
func (a *App) checkResponse(req *http.Request, res *Response) {
	a.mu.Lock()
	s := a.openapi
	a.mu.Unlock()
	if s == nil {
		if os.Getenv(EnvValidateOpenAPI) == "0" {
			return
		}
		a.ValidateResponses(a.t)
		s = a.openapi
	}
	a.t.Helper()
	if err := s.Check(req, res); err != nil {
		a.t.Errorf("%s %s → %d does not match api/openapi.yaml:\n%v\nbody: %.500s",
			req.Method, req.URL.RequestURI(), res.Status, err, res.Body)
	}
}

// Check validates one finished exchange. A request to a path and method
// the spec does not document (an unknown route's 404, a wrong method's 405)
// is checked against its family's error shape instead: NestError,
// ClientesMessage or PlainText.
func (s *OpenAPI) Check(req *http.Request, res *Response) error {
	if req.Method == http.MethodOptions || req.Method == http.MethodHead {
		return nil // CORS preflights and HEADs have no documented body
	}
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(res.Body))
		if err != nil {
			return fmt.Errorf("Content-Encoding gzip, but the body is not: %w", err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			return fmt.Errorf("Content-Encoding gzip, but the body is cut: %w", err)
		}
		res = &Response{Status: res.Status, Header: res.Header, Body: plain}
	}
	specReq := req.Clone(context.Background())
	u, _ := url.Parse(specHost)
	specReq.URL.Scheme, specReq.URL.Host, specReq.Host = u.Scheme, u.Host, u.Host
	route, params, err := s.router.FindRoute(specReq)
	if err != nil {
		if errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed) {
			return s.checkUnrouted(req, res)
		}
		return err
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: specReq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: res.Status,
		Header: res.Header,
		Body:   io.NopCloser(bytes.NewReader(res.Body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true, // an undocumented status is an error
			MultiError:            true,
		},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return err
	}
	if ref := route.Operation.Responses.Value(fmt.Sprint(res.Status)); ref != nil && ref.Value != nil &&
		len(ref.Value.Content) == 0 && len(res.Body) > 0 {
		return fmt.Errorf("status %d is documented without a body, but one came", res.Status)
	}
	return nil
}

// checkUnrouted validates the answer to a request no operation documents.
func (s *OpenAPI) checkUnrouted(req *http.Request, res *Response) error {
	if res.Status != http.StatusNotFound && res.Status != http.StatusMethodNotAllowed {
		return fmt.Errorf("%s %s is not in the spec but answered %d", req.Method, req.URL.Path, res.Status)
	}
	name, wantType := "NestError", "application/json"
	switch server.RendererFor(req).(type) {
	case httpapi.ClientesRenderer:
		name = "ClientesMessage"
	case httpapi.PlainRenderer:
		name, wantType = "PlainText", "text/plain"
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, wantType) {
		return fmt.Errorf("want %s (%s), got Content-Type %q", name, wantType, ct)
	}
	schema := s.Doc.Components.Schemas[name].Value
	if wantType == "text/plain" {
		return schema.VisitJSON(string(res.Body))
	}
	value, err := decodeJSON(res.Body)
	if err != nil {
		return fmt.Errorf("%s body is not JSON: %w", name, err)
	}
	return schema.VisitJSON(value, openapi3.MultiErrors())
}

func decodeJSON(b []byte) (any, error) {
	v, err := openapi3filter.JSONBodyDecoder(bytes.NewReader(b), nil, nil, nil)
	return v, err
}
