package main

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		expect string
		status int
		body   string
		ok     bool
	}{
		{`200`, 200, `anything`, true},
		{`200`, 201, `{}`, false},
		{`200 {"status":"ok"}`, 200, `{"status":"ok","extra":1}`, true},
		{`200 {"status":"ok"}`, 200, `{"status":"ko"}`, false},
		{`200 {"status":"ok"}`, 200, `{"other":"ok"}`, false},
		{`200 {"status":"ok"}`, 200, `not json`, false},
		{`200 {"id":"…"}`, 200, `{"id":7}`, true},
		{`200 {"id":"…"}`, 200, `{"id":null}`, true},
		{`200 {"code":"CLI…"}`, 200, `{"code":"CLI0042"}`, true},
		{`200 {"code":"CLI…"}`, 200, `{"code":"XLI0042"}`, false},
		{`200 {"n":1}`, 200, `{"n":1.0}`, true},
		{`200 {"n":1}`, 200, `{"n":"1"}`, false},
		{`200 {"b":null}`, 200, `{"b":null}`, true},
		{`200 {"b":false}`, 200, `{"b":null}`, false},
		{`200 [{"a":1},"…"]`, 200, `[{"a":1,"x":2},{"a":5}]`, true},
		{`200 [{"a":1},"…"]`, 200, `[{"a":2}]`, false},
		{`200 [{"a":1}]`, 200, `[{"a":1},{"a":2}]`, false},
		{`200 []`, 200, `[]`, true},
		{`200 []`, 200, `[1]`, false},
		{`302 ` + "`Location: /docs`", 302, "HTTP/1.1 302 Found\r\nLocation: /docs\r\n\r\n", true},
		{`404 ` + "`User not found`", 404, "User with ID: x not found", false},
		{`201 {"ok":true} — a remark`, 201, `{"ok":true}`, true},
		{`200 a remark only`, 200, `{"whatever":1}`, true},
		{`200 {"a":{"b":[1,"…"]}}`, 200, "HTTP/1.1 200 OK\r\nX: y\r\n\r\n" + `{"a":{"b":[1,2,3]}}`, true},
	}
	for _, tc := range cases {
		e, err := ParseExpectation(tc.expect)
		if err != nil {
			t.Fatalf("%s: %v", tc.expect, err)
		}
		err = Check(e, tc.status, []byte(tc.body))
		if (err == nil) != tc.ok {
			t.Errorf("%s against %d %s: err = %v, want ok %v", tc.expect, tc.status, tc.body, err, tc.ok)
		}
	}
}

func TestParseExpectationErrors(t *testing.T) {
	for _, text := range []string{"", "ok", "20", `200 {"unclosed":`, "200 `open"} {
		if _, err := ParseExpectation(text); err == nil {
			t.Errorf("%q: no error", text)
		}
	}
}

func TestParse(t *testing.T) {
	doc := strings.Join([]string{
		"# Title",
		"```sh",
		"X=1",
		"curl -s $BASE/healthz   # → 200 {\"status\":\"ok\"}",
		"curl -s -X POST $BASE/a \\",
		"  -d '{}'",
		"# → 201",
		"curl -s $BASE/b",
		"```",
		"```sh norun",
		"curl -s $BASE/never",
		"```",
		"```json",
		"{\"curl \": 1}",
		"```",
		"<!-- api-doc: CODE=$(mailed_code a@b.c) -->",
		"```bash",
		"curl -s $BASE/c",
		"```",
	}, "\n")
	s, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if s.Blocks != 3 || s.Curls != 4 || len(s.Expectations) != 2 {
		t.Fatalf("blocks %d, curls %d, expectations %d:\n%s", s.Blocks, s.Curls, len(s.Expectations), s.Body)
	}
	for _, want := range []string{"__expect 0\n", "__expect 1\n", "__unchecked 8\n", "__unchecked 18\n", "CODE=$(mailed_code a@b.c)\n"} {
		if !strings.Contains(s.Body, want) {
			t.Errorf("script lacks %q:\n%s", want, s.Body)
		}
	}
	if strings.Contains(s.Body, "never") {
		t.Error("a norun block was run")
	}
	for _, bad := range []string{
		"```sh\n# → 200\n```",                         // no curl before
		"```sh\ncurl $BASE/x \\ # → 200\n  -d 1\n```", // inline after a continuation
		"```sh\ncurl $BASE/x\n",                       // unclosed
	} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}
