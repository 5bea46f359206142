// Command api-doc executes docs/api.md against a fresh kantuta binary, so
// the curl examples cannot drift from the server.
//
//	go run ./scripts/api-doc [-bin bin/kantuta] [-doc docs/api.md] [-v]
//
// It starts the binary on a free loopback port with a fresh SQLite data
// directory (PORT, DATABASE_URL, KANTUTA_* and JWT_* of the calling shell
// are not passed on), runs
// every ```sh block of the document in order in one bash session (so shell
// variables carry from block to block), and checks each curl against the
// expectation written after it. The conventions it relies on are written at
// the top of docs/api.md; in short:
//
//   - `# → 201 {"message":"…"}` on its own line after a curl, or at the end
//     of a one-line curl: the status, then optionally a JSON value whose
//     fields must be in the answer (see match), or a `backquoted` text the
//     answer must contain. Anything else after the status is a remark.
//   - A curl without an expectation must answer a status below 400.
//   - ```sh norun blocks are shown, not run; <!-- api-doc: … --> comments
//     run (invisible to readers) where they stand, for what a reader does by
//     hand, such as reading a mailed code off the server's terminal.
//   - The session starts with BASE, ADMIN_EMAIL, ADMIN_PASSWORD set, and the
//     helper mailed_code EMAIL (the last code mailed to EMAIL, from the
//     console mail backend's output).
//
// The last line is "api-doc: N passed, M failed"; the exit status is 1 when
// anything failed.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/kantuta", "the kantuta binary to start")
	doc := flag.String("doc", "docs/api.md", "the document to execute")
	verbose := flag.Bool("v", false, "print every check, not only failures")
	flag.Parse()
	passed, failed, err := run(*bin, *doc, *verbose, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "api-doc:", err)
		failed++
	}
	fmt.Printf("api-doc: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

// Expectation is one `# →` line of the document.
type Expectation struct {
	Line   int    // line number in the document
	Status int    // expected HTTP status
	JSON   any    // expected JSON value, or nil
	Text   string // expected substring, or ""
	Raw    string
}

// Step is what the generated script does at one point of the document.
type Script struct {
	Body         string        // bash source
	Expectations []Expectation // indexed by the numbers in Body
	Blocks       int           // blocks (and api-doc comments) that run
	Curls        int
}

var (
	fenceOpen = regexp.MustCompile("^```([a-zA-Z]*)\\s*(.*)$")
	curlCmd   = regexp.MustCompile(`(^|[\s;(|&$])curl\s`)
)

// Parse turns the markdown document into one bash script.
func Parse(doc string) (Script, error) {
	var s Script
	var b strings.Builder
	lines := strings.Split(doc, "\n")
	inFence, run := false, false
	pendingCurl := 0 // line of the curl still waiting for an expectation
	flushCurl := func() {
		if pendingCurl > 0 {
			fmt.Fprintf(&b, "__unchecked %d\n", pendingCurl)
			pendingCurl = 0
		}
	}
	addExpect := func(line int, text string) error {
		e, err := ParseExpectation(text)
		if err != nil {
			return fmt.Errorf("docs line %d: %w", line, err)
		}
		if pendingCurl == 0 {
			return fmt.Errorf("docs line %d: an expectation without a curl before it", line)
		}
		e.Line = line
		s.Expectations = append(s.Expectations, e)
		fmt.Fprintf(&b, "__expect %d\n", len(s.Expectations)-1)
		pendingCurl = 0
		return nil
	}
	for i := 0; i < len(lines); i++ {
		n, line := i+1, lines[i]
		trimmed := strings.TrimSpace(line)
		if !inFence {
			if m := fenceOpen.FindStringSubmatch(trimmed); m != nil && strings.HasPrefix(trimmed, "```") {
				inFence = true
				run = (m[1] == "sh" || m[1] == "bash") && !strings.Contains(m[2], "norun")
				if run {
					s.Blocks++
					fmt.Fprintf(&b, "__block %d\n", n)
				}
				continue
			}
			if strings.HasPrefix(trimmed, "<!-- api-doc:") {
				// Hidden shell, possibly over several lines, up to -->.
				text := strings.TrimPrefix(trimmed, "<!-- api-doc:")
				for !strings.Contains(text, "-->") && i+1 < len(lines) {
					i++
					text += "\n" + lines[i]
				}
				text, _, _ = strings.Cut(text, "-->")
				s.Blocks++
				flushCurl()
				fmt.Fprintf(&b, "__block %d\n%s\n", n, strings.TrimSpace(text))
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") {
			inFence = false
			if run {
				flushCurl()
			}
			continue
		}
		if !run {
			continue
		}
		if rest, ok := strings.CutPrefix(trimmed, "# →"); ok {
			if err := addExpect(n, rest); err != nil {
				return s, err
			}
			continue
		}
		cmd, expect, inline := strings.Cut(line, " # →")
		if inline && strings.HasSuffix(strings.TrimSpace(cmd), "\\") {
			return s, fmt.Errorf("docs line %d: an inline expectation after a line continuation; put it on its own line after the command", n)
		}
		if curlCmd.MatchString(" "+cmd) && !strings.HasPrefix(strings.TrimSpace(cmd), "#") {
			flushCurl()
			pendingCurl = n
			s.Curls++
		}
		b.WriteString(cmd + "\n")
		if inline {
			// The command may go on over continuation lines before the
			// expectation applies: only when it ends on this line.
			if err := addExpect(n, expect); err != nil {
				return s, err
			}
		}
	}
	if inFence {
		return s, errors.New("docs: a fenced block is not closed")
	}
	flushCurl()
	s.Body = b.String()
	return s, nil
}

var statusPrefix = regexp.MustCompile(`^\s*([1-5][0-9][0-9])\b\s*`)

// ParseExpectation reads what follows `# →`: a status, then optionally a
// JSON value or a `backquoted` text; anything after that is a remark.
func ParseExpectation(text string) (Expectation, error) {
	e := Expectation{Raw: strings.TrimSpace(text)}
	m := statusPrefix.FindStringSubmatch(text)
	if m == nil {
		return e, fmt.Errorf("expectation %q does not start with an HTTP status", e.Raw)
	}
	e.Status, _ = strconv.Atoi(m[1])
	rest := text[len(m[0]):]
	switch {
	case strings.HasPrefix(rest, "{"), strings.HasPrefix(rest, "["):
		dec := json.NewDecoder(strings.NewReader(rest))
		dec.UseNumber()
		if err := dec.Decode(&e.JSON); err != nil {
			return e, fmt.Errorf("expectation %q: the value after the status is not JSON: %v", e.Raw, err)
		}
	case strings.HasPrefix(rest, "`"):
		t, _, ok := strings.Cut(rest[1:], "`")
		if !ok || t == "" {
			return e, fmt.Errorf("expectation %q: unclosed backquoted text", e.Raw)
		}
		e.Text = t
	}
	return e, nil
}

// Match reports where actual differs from expected: objects must have every
// key shown (others are ignored); arrays must have exactly the items shown,
// unless the last one is "…", which stands for any further items; the string
// "…" matches any value and "abc…" any string starting with "abc"; numbers
// compare as numbers.
func Match(expected, actual any, path string) error {
	switch e := expected.(type) {
	case string:
		if e == "…" {
			return nil
		}
		a, ok := actual.(string)
		if p, prefix := strings.CutSuffix(e, "…"); prefix && ok && strings.HasPrefix(a, p) {
			return nil
		}
		if !ok || a != e {
			return fmt.Errorf("%s: want %q, got %s", pathOr(path), e, show(actual))
		}
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %s", pathOr(path), show(actual))
		}
		for k, v := range e {
			av, present := a[k]
			if !present {
				return fmt.Errorf("%s.%s: missing", pathOr(path), k)
			}
			if err := Match(v, av, path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		a, ok := actual.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array, got %s", pathOr(path), show(actual))
		}
		open := len(e) > 0 && e[len(e)-1] == "…"
		if open {
			e = e[:len(e)-1]
		}
		if len(a) < len(e) || (!open && len(a) != len(e)) {
			return fmt.Errorf("%s: want %d items, got %d", pathOr(path), len(e), len(a))
		}
		for i := range e {
			if err := Match(e[i], a[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case json.Number:
		a, ok := actual.(json.Number)
		ef, _ := e.Float64()
		af, _ := a.Float64()
		if !ok || ef != af {
			return fmt.Errorf("%s: want %s, got %s", pathOr(path), e, show(actual))
		}
	default: // bool, nil
		if expected != actual {
			return fmt.Errorf("%s: want %v, got %s", pathOr(path), expected, show(actual))
		}
	}
	return nil
}

func pathOr(p string) string {
	if p == "" {
		return "body"
	}
	return "body" + p
}

func show(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// Check compares one recorded response with its expectation.
func Check(e Expectation, status int, body []byte) error {
	if status != e.Status {
		return fmt.Errorf("status %d, want %d; body: %s", status, e.Status, clip(body))
	}
	if e.Text != "" && !bytes.Contains(body, []byte(e.Text)) {
		return fmt.Errorf("answer lacks %q: %s", e.Text, clip(body))
	}
	if e.JSON != nil {
		var actual any
		dec := json.NewDecoder(bytes.NewReader(stripHeaders(body)))
		dec.UseNumber()
		if err := dec.Decode(&actual); err != nil {
			return fmt.Errorf("answer is not JSON: %s", clip(body))
		}
		if err := Match(e.JSON, actual, ""); err != nil {
			return err
		}
	}
	return nil
}

// stripHeaders drops the header blocks `curl -i` writes before the body.
func stripHeaders(b []byte) []byte {
	for bytes.HasPrefix(b, []byte("HTTP/")) {
		i := bytes.Index(b, []byte("\r\n\r\n"))
		if i < 0 {
			return nil
		}
		b = b[i+4:]
	}
	return b
}

func clip(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// prelude is the start of the generated script: the curl wrapper that
// records each answer, and the helpers the document may use.
const prelude = `set -o pipefail
echo 0 >"$__dir/n"
# The counter lives in a file: a curl inside $(…) runs in a subshell.
curl() {
  local n rc
  n=$(( $(cat "$__dir/n") + 1 )); echo "$n" >"$__dir/n"
  command curl --no-progress-meter -D "$__dir/h$n" "$@" | tee "$__dir/b$n"
  rc=${PIPESTATUS[0]}
  printf 'curl %d %d %d\n' "$__line" "$n" "$rc" >>"$__dir/log"
  return "$rc"
}
__block() { __line=$1; }
__expect() { printf 'expect %d %d\n' "$1" "$(cat "$__dir/n")" >>"$__dir/log"; }
__unchecked() { printf 'unchecked %d %d\n' "$1" "$(cat "$__dir/n")" >>"$__dir/log"; }
# mailed_code EMAIL: the last reset code the console mail backend printed
# for EMAIL, waiting up to 10 s for the outbox worker to deliver it.
mailed_code() {
  local code="" i
  for i in $(seq 1 100); do
    code=$(awk -v to="<$1>" '/^To: /{m=index($0,to)>0} m && /código de verificación es:/{c=$NF} END{print c}' "$KANTUTA_OUT")
    [ -n "$code" ] && break
    sleep 0.1
  done
  printf '%s' "$code"
}
`

func run(bin, docPath string, verbose bool, out io.Writer) (passed, failed int, err error) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			return 0, 0, fmt.Errorf("%s is needed to run the examples (apt-get install %s)", tool, tool)
		}
	}
	raw, err := os.ReadFile(docPath)
	if err != nil {
		return 0, 0, err
	}
	script, err := Parse(string(raw))
	if err != nil {
		return 0, 0, err
	}
	work, err := os.MkdirTemp("", "api-doc-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(work)

	base, stop, err := startServer(bin, work)
	if err != nil {
		return 0, 0, err
	}
	defer stop()

	if err := os.WriteFile(filepath.Join(work, "log"), nil, 0o600); err != nil {
		return 0, 0, err
	}
	sh := exec.Command("bash", "--noprofile", "--norc")
	sh.Dir = work
	sh.Env = append(os.Environ(),
		"__dir="+work, "BASE="+base, "ADMIN_EMAIL=admin@kantuta.local", "ADMIN_PASSWORD="+adminPassword,
		"KANTUTA_OUT="+filepath.Join(work, "server.out"))
	sh.Stdin = strings.NewReader(prelude + script.Body)
	var shOut bytes.Buffer
	sh.Stdout, sh.Stderr = &shOut, &shOut
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	go func() { <-ctx.Done(); _ = sh.Process.Kill() }()
	if err := sh.Run(); err != nil && verbose {
		fmt.Fprintf(out, "bash ended with %v\n", err)
	}
	if verbose {
		out.Write(shOut.Bytes())
		fmt.Fprintln(out)
	}

	logRaw, err := os.ReadFile(filepath.Join(work, "log"))
	if err != nil {
		return 0, 0, err
	}
	report := func(ok bool, line int, what string, problem error) {
		if ok {
			passed++
			if verbose {
				fmt.Fprintf(out, "  ok   %s:%d %s\n", docPath, line, what)
			}
			return
		}
		failed++
		fmt.Fprintf(out, "  FAIL %s:%d %s: %v\n", docPath, line, what, problem)
	}
	curlLine := map[int]int{} // response number → line of its block
	checked := map[int]bool{}
	sc := bufio.NewScanner(bytes.NewReader(logRaw))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 {
			continue
		}
		a, _ := strconv.Atoi(f[1])
		resp, _ := strconv.Atoi(f[2])
		switch f[0] {
		case "curl":
			curlLine[resp] = a
		case "expect":
			e := script.Expectations[a]
			checked[a] = true
			if resp == 0 {
				report(false, e.Line, "# → "+e.Raw, errors.New("no request was made"))
				continue
			}
			status, body := response(work, resp)
			report(Check(e, status, body) == nil, e.Line, "# → "+e.Raw, Check(e, status, body))
		case "unchecked":
			status, body := response(work, resp)
			var problem error
			if resp == 0 || status >= 400 || status == 0 {
				problem = fmt.Errorf("a curl without expectation answered %d: %s", status, clip(body))
			}
			report(problem == nil, a, "curl (no expectation: status < 400)", problem)
		}
	}
	for i, e := range script.Expectations {
		if !checked[i] {
			report(false, e.Line, "# → "+e.Raw, errors.New("never reached (the shell stopped before it)"))
		}
	}
	fmt.Fprintf(out, "api-doc: %d blocks run, %d curls, %d expectations compared (status and shown fields), server %s\n",
		script.Blocks, script.Curls, len(script.Expectations), base)
	if failed > 0 {
		fmt.Fprintf(out, "shell output (last 40 lines):\n%s\n", tail(shOut.String(), 40))
	}
	return passed, failed, nil
}

// response reads the status (from the last header block: redirects and
// 100-continue come first) and the body of recorded response n.
func response(dir string, n int) (int, []byte) {
	h, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("h%d", n)))
	b, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("b%d", n)))
	status := 0
	for _, line := range strings.Split(string(h), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && strings.HasPrefix(f[0], "HTTP/") {
			status, _ = strconv.Atoi(f[1])
		}
	}
	return status, b
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

var adminPassword = func() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return "Doc-" + hex.EncodeToString(b)
}()

// startServer runs bin on a free loopback port with a fresh data directory
// and waits until /readyz answers.
func startServer(bin, work string) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	outFile, err := os.Create(filepath.Join(work, "server.out"))
	if err != nil {
		return "", nil, err
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Dir = work
	// The document shows a fresh SQLite server: settings of the calling
	// shell that would change that are left out.
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "PORT" && k != "DATABASE_URL" && !strings.HasPrefix(k, "KANTUTA_") && !strings.HasPrefix(k, "JWT_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"KANTUTA_ADDR="+addr, "KANTUTA_DATA_DIR="+filepath.Join(work, "data"),
		"KANTUTA_ADMIN_EMAIL=admin@kantuta.local", "KANTUTA_ADMIN_PASSWORD="+adminPassword,
		"KANTUTA_ENV=development", "MAIL_BACKEND=console", "SMTP_HOST=", "LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = outFile, outFile
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start %s: %w", bin, err)
	}
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		outFile.Close()
	}
	base = "http://" + addr
	for i := 0; i < 100; i++ {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base, stop, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	log, _ := os.ReadFile(filepath.Join(work, "server.out"))
	return "", nil, fmt.Errorf("%s did not become ready: %s", bin, tail(string(log), 20))
}
