package api_test

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/kantuta/kantuta/api"
)

// TestSpecIsValid loads the embedded document and validates it as OpenAPI
// 3, examples included.
func TestSpecIsValid(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.Spec)
	if err != nil {
		t.Fatalf("openapi.yaml does not load: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("openapi.yaml is not valid OpenAPI 3: %v", err)
	}
	if doc.Paths.Len() < 33 {
		t.Fatalf("only %d paths documented", doc.Paths.Len())
	}
}
