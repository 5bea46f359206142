package reliability

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestGracefulStopWithSockets: SIGTERM while a Socket.IO long-poll waits
// (it would last until the 25 s ping) and a WebSocket is open (hijacked,
// invisible to http.Server.Shutdown): the sockets are closed as shutdown
// begins, and the process exits 0 at once, not after the ping interval or
// SHUTDOWN_TIMEOUT.
func TestGracefulStopWithSockets(t *testing.T) {
	skipSlow(t)
	env := serverEnv("sqlite:" + t.TempDir() + "/kantuta.db")
	env["CORS_ORIGINS"] = "http://localhost:5173"
	env["SHUTDOWN_TIMEOUT"] = "30s"
	srv := startServer(t, env)
	client := &http.Client{Timeout: 60 * time.Second}
	get := func(url string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Origin", "http://localhost:5173")
		res, err := client.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	base := srv.BaseURL + "/socket.io/?EIO=4&transport=polling"
	status, body := get(base)
	var open struct{ Sid string }
	if status != http.StatusOK || json.Unmarshal([]byte(strings.TrimPrefix(body, "0")), &open) != nil {
		t.Fatalf("handshake: %d %s", status, body)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"&sid="+open.Sid, strings.NewReader("40"))
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	req.Header.Set("Origin", "http://localhost:5173")
	if res, err := client.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("join: %v %v", res, err)
	}
	if status, body = get(base + "&sid=" + open.Sid); !strings.HasPrefix(body, "40{") {
		t.Fatalf("connect: %d %s", status, body)
	}

	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(srv.BaseURL, "http", "ws", 1)+"/socket.io/?EIO=4&transport=websocket",
		http.Header{"Origin": {"http://localhost:5173"}})
	if err != nil {
		t.Fatalf("websocket: %v", err)
	}
	defer ws.Close()
	if _, msg, err := ws.ReadMessage(); err != nil || !strings.HasPrefix(string(msg), "0{") {
		t.Fatalf("websocket open: %q %v", msg, err)
	}

	polled := make(chan string, 1)
	go func() { _, b := get(base + "&sid=" + open.Sid); polled <- b }()
	time.Sleep(200 * time.Millisecond) // the long-poll is waiting
	signalled := time.Now()
	srv.Signal(t, syscall.SIGTERM)
	if code := srv.Wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	took := time.Since(signalled)
	t.Logf("figure: graceful stop with an open long-poll and WebSocket took %v", took.Round(time.Millisecond))
	if took > 5*time.Second {
		t.Fatalf("stop took %v: the sockets held the shutdown", took)
	}
	select {
	case b := <-polled:
		t.Logf("the pending long-poll was answered: %q", b)
	case <-time.After(2 * time.Second):
		t.Fatal("the pending long-poll was never answered")
	}
	_ = ws.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, _, err := ws.ReadMessage(); err == nil {
		t.Fatal("the WebSocket is still open after the stop")
	}
}
