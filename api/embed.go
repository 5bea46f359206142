// Package api carries the OpenAPI document of the server, embedded in the
// binary: GET /openapi.yaml serves it, GET /docs renders it, and the tests
// check the router and every response against it.
package api

import _ "embed"

// Spec is api/openapi.yaml, byte for byte.
//
//go:embed openapi.yaml
var Spec []byte
