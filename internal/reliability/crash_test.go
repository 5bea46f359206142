package reliability

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestCrashDuringRegistrations kills the built binary with SIGKILL while 20
// clients register usuarios, restarts it on the same database and checks
// that it starts clean: every usuario has its persona, no persona was left
// behind by a registration cut in the middle, every registration answered
// 201 before the kill is there, and no request got a 5xx.
func TestCrashDuringRegistrations(t *testing.T) {
	skipSlow(t)
	eachDatabase(t, func(t *testing.T, dialect, databaseURL string) {
		const (
			workers   = 20
			perWorker = 200 // bound on each client's loop
			killAfter = 60  // acknowledged registrations before the kill
		)
		srv := startServer(t, serverEnv(databaseURL))
		run := fmt.Sprintf("crash-%s-%s", dialect, randomHex(3))

		var (
			mu           sync.Mutex
			acknowledged []string // 201 before the kill
			attempted    []string
			fiveXX       []string
			other        = map[int]int{}
			cut          atomic.Int64 // transport errors: the kill cut them
			created      atomic.Int64
		)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
		var wg sync.WaitGroup
		killed := make(chan struct{})
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perWorker && ctx.Err() == nil; i++ {
					email := fmt.Sprintf("%s-%d-%d@kantuta.test", run, w, i)
					mu.Lock()
					attempted = append(attempted, email)
					mu.Unlock()
					status, body, err := post(ctx, client, srv.BaseURL+"/usuario/register", registerBody(email), "")
					if err != nil {
						cut.Add(1)
						select {
						case <-killed:
							return // the server is gone: this client stops
						default:
							time.Sleep(5 * time.Millisecond)
							continue
						}
					}
					mu.Lock()
					switch {
					case status == http.StatusCreated:
						acknowledged = append(acknowledged, email)
						created.Add(1)
					case status >= 500:
						fiveXX = append(fiveXX, fmt.Sprintf("%d %s", status, body))
					default:
						other[status]++
					}
					mu.Unlock()
				}
			}()
		}
		// Kill once enough registrations went through, mid-load.
		deadline := time.Now().Add(20 * time.Second)
		for created.Load() < killAfter && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
		srv.Signal(t, syscall.SIGKILL)
		close(killed)
		code := srv.Wait(t, 10*time.Second)
		wg.Wait()
		cancel()
		if created.Load() < killAfter {
			t.Fatalf("only %d registrations in 20 s before the kill", created.Load())
		}

		restarted := startServer(t, serverEnv(databaseURL))
		// It serves again: one more registration.
		email := run + "-after@kantuta.test"
		status, body, err := post(context.Background(), http.DefaultClient, restarted.BaseURL+"/usuario/register", registerBody(email), "")
		if err != nil || status != http.StatusCreated {
			t.Fatalf("registration after restart: %d %s %v", status, body, err)
		}

		db := openDB(t, databaseURL)
		in := checkIntegrity(t, db)
		present := emailsPresent(t, db, acknowledged)
		var lost []string
		for _, e := range acknowledged {
			if !present[e] {
				lost = append(lost, e)
			}
		}
		figure(t, "crash %s: %d clients, SIGKILL (exit %d) after %d acknowledged registrations, %d requests cut; restart ready in %d ms; %s; %d acknowledged lost; %d × 5xx; other statuses %v",
			dialect, workers, code, len(acknowledged), cut.Load(), restarted.Ready.Milliseconds(), in, len(lost), len(fiveXX), other)

		if ws, ok := srv.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Errorf("the process did not die of SIGKILL: %v", srv.waitErr)
		}
		if in.OrphanPersonas != 0 || in.UsuariosWithoutPersona != 0 || in.Usuarios != in.Personas {
			t.Errorf("integrity broken after the crash: %s", in)
		}
		if len(lost) > 0 {
			t.Errorf("%d registrations answered 201 are gone: %v", len(lost), lost[:min(5, len(lost))])
		}
		if len(fiveXX) > 0 {
			t.Errorf("%d × 5xx, e.g. %s", len(fiveXX), fiveXX[0])
		}
		if len(other) > 0 {
			t.Errorf("unexpected statuses: %v", other)
		}
		// Usuarios = the admin + the registrations that committed (every 201,
		// maybe some cut ones) + the one after the restart.
		if in.Usuarios < int64(len(acknowledged))+2 || in.Usuarios > int64(len(attempted))+2 {
			t.Errorf("%d usuarios for %d acknowledged of %d attempted registrations", in.Usuarios, len(acknowledged), len(attempted))
		}
	})
}
