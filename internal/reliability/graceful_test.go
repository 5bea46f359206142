package reliability

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestGracefulStop sends SIGTERM to the built binary while registrations
// (bcrypt at cost 11, the slow part of a registration) are in flight:
// every request written before the signal must complete with 201, new
// connections must be refused while the server drains, and the process
// must exit 0 with every acknowledged usuario stored.
func TestGracefulStop(t *testing.T) {
	skipSlow(t)
	const inflight = 30
	dbPath := t.TempDir() + "/kantuta.db"
	env := serverEnv("sqlite:" + dbPath)
	env["SALT_ROUNDS"] = "11"
	env["SHUTDOWN_TIMEOUT"] = "30s"
	// What is measured is the stop, not the deadline: a loaded machine must
	// not turn queued bcrypt work into 503s before the signal.
	env["REQUEST_TIMEOUT"] = "60s"
	srv := startServer(t, env)
	run := "graceful-" + randomHex(3)

	// One connection per request: a request written on a fresh connection
	// is one the server has accepted, never one it could drop as idle.
	client := &http.Client{Timeout: 40 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	type result struct {
		email   string
		written time.Time
		status  int
		body    string
		err     error
		done    time.Time
	}
	results := make([]result, inflight)
	var written atomic.Int64
	var wg sync.WaitGroup
	for i := range inflight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			r.email = fmt.Sprintf("%s-%d@kantuta.test", run, i)
			trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
				r.written = time.Now()
				written.Add(1)
			}}
			ctx := httptrace.WithClientTrace(context.Background(), trace)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.BaseURL+"/usuario/register", bytes.NewReader(registerBody(r.email)))
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			r.done = time.Now()
			if err != nil {
				r.err = err
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			r.status, r.body = res.StatusCode, string(b)
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for written.Load() < inflight && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if written.Load() < inflight {
		t.Fatalf("only %d of %d requests written in 10 s", written.Load(), inflight)
	}
	time.Sleep(50 * time.Millisecond) // let the accept loop take the last connections
	signalled := time.Now()
	srv.Signal(t, syscall.SIGTERM)

	// New connections are refused while the old requests drain.
	var refusedAfter time.Duration
	stillRunning := -1
	for time.Since(signalled) < 5*time.Second {
		conn, err := net.DialTimeout("tcp", srv.Addr, 200*time.Millisecond)
		if err != nil {
			refusedAfter = time.Since(signalled)
			stillRunning = 0
			for i := range results {
				if results[i].done.IsZero() {
					stillRunning++
				}
			}
			break
		}
		conn.Close()
		time.Sleep(5 * time.Millisecond)
	}
	// A request tried now is refused at the door: no answer at all, not a 5xx.
	_, _, lateErr := post(context.Background(), client, srv.BaseURL+"/usuario/register", registerBody(run+"-late@kantuta.test"), "")

	wg.Wait()
	code := srv.Wait(t, 35*time.Second)
	drained := time.Since(signalled)

	var ok, bad int
	var emails []string
	for _, r := range results {
		emails = append(emails, r.email)
		if r.written.Before(signalled) && r.err == nil && r.status == http.StatusCreated {
			ok++
			continue
		}
		bad++
		t.Errorf("request %s written %v before the signal: status %d %v %s", r.email, signalled.Sub(r.written), r.status, r.err, r.body)
	}
	db := openDB(t, "sqlite:"+dbPath)
	present := emailsPresent(t, db, emails)
	in := checkIntegrity(t, db)
	figure(t, "graceful stop: %d registrations in flight at SIGTERM (%d still running when new connections were refused %d ms after it) → %d × 201, %d failed; late request: %v; exit code %d after %d ms; %d of %d stored; %s",
		inflight, stillRunning, refusedAfter.Milliseconds(), ok, bad, errSummary(lateErr), code, drained.Milliseconds(), len(present), inflight, in)
	if refusedAfter == 0 {
		t.Error("new connections were still accepted 5 s after SIGTERM")
	}
	if stillRunning <= 0 {
		t.Logf("every request had finished before the listener closed: the drain was not observed")
	}
	if lateErr == nil {
		t.Error("a request after SIGTERM was accepted")
	}
	if code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if !strings.Contains(srv.logs.String(), `"msg":"stopped"`) {
		t.Error(`no "stopped" line in the log`)
	}
	if len(present) != inflight || in.OrphanPersonas != 0 {
		t.Errorf("%d of %d registrations stored; %s", len(present), inflight, in)
	}
}

func errSummary(err error) string {
	if err == nil {
		return "accepted"
	}
	if strings.Contains(err.Error(), "connection refused") {
		return "connection refused"
	}
	return err.Error()
}
