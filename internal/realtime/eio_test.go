package realtime_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// eio is a bare Engine.IO v4 / Socket.IO v5 client over long-polling (and
// an optional WebSocket upgrade): the wire protocol socket.io-client speaks,
// written out so that the Go tests see every byte (the Node contract test
// in e2e/realtime runs the real client).
type eio struct {
	t      testing.TB
	base   string // http://host/socket.io/
	header http.Header
	client *http.Client
	sid    string
	open   map[string]any
	ws     *websocket.Conn
	queue  []string // packets received, not yet read
}

// handshake opens an Engine.IO session over polling; it returns the status
// and body instead of failing when the server refuses it.
func handshake(t testing.TB, appURL string, header http.Header) (*eio, *http.Response, string) {
	t.Helper()
	c := &eio{t: t, base: appURL + "/socket.io/", header: header, client: &http.Client{Timeout: 10 * time.Second}}
	res, body := c.do(http.MethodGet, "", "")
	if res.StatusCode != http.StatusOK {
		return nil, res, body
	}
	if !strings.HasPrefix(body, "0") {
		t.Fatalf("handshake: want an open packet, got %q", body)
	}
	if err := json.Unmarshal([]byte(body[1:]), &c.open); err != nil {
		t.Fatalf("handshake: %v: %q", err, body)
	}
	c.sid, _ = c.open["sid"].(string)
	return c, res, body
}

func (c *eio) do(method, query, body string) (*http.Response, string) {
	c.t.Helper()
	u := c.base + "?EIO=4&transport=polling&t=" + fmt.Sprint(time.Now().UnixNano())
	if c.sid != "" {
		u += "&sid=" + url.QueryEscape(c.sid)
	}
	u += query
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if body != "" {
		// What engine.io-client sends: the API's 415 rule must not apply.
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	res, err := c.client.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// send writes one packet (over the WebSocket once upgraded).
func (c *eio) send(packet string) {
	c.t.Helper()
	if c.ws != nil {
		if err := c.ws.WriteMessage(websocket.TextMessage, []byte(packet)); err != nil {
			c.t.Fatalf("ws write: %v", err)
		}
		return
	}
	res, body := c.do(http.MethodPost, "", packet)
	if res.StatusCode != http.StatusOK || body != "ok" {
		c.t.Fatalf("POST %q: %d %q", packet, res.StatusCode, body)
	}
}

// next returns the next packet other than a ping (pings are answered).
func (c *eio) next() string {
	c.t.Helper()
	for {
		for len(c.queue) == 0 {
			if c.ws != nil {
				_ = c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
				_, msg, err := c.ws.ReadMessage()
				if err != nil {
					c.t.Fatalf("ws read: %v", err)
				}
				c.queue = append(c.queue, string(msg))
				continue
			}
			res, body := c.do(http.MethodGet, "", "")
			if res.StatusCode != http.StatusOK {
				c.t.Fatalf("poll: %d %q", res.StatusCode, body)
			}
			c.queue = append(c.queue, strings.Split(body, "\x1e")...)
		}
		p := c.queue[0]
		c.queue = c.queue[1:]
		if p == "2" {
			c.send("3")
			continue
		}
		return p
	}
}

// connect joins namespace "/" with the given auth payload (nil: none, as the
// frontend) and returns the server's answer: "40{…}" or "44{…}".
func (c *eio) connect(auth map[string]any) string {
	c.t.Helper()
	packet := "40"
	if auth != nil {
		b, _ := json.Marshal(auth)
		packet += string(b)
	}
	c.send(packet)
	return c.next()
}

// upgrade moves the session to a WebSocket, as engine.io-client does.
func (c *eio) upgrade() {
	c.t.Helper()
	u := strings.Replace(c.base, "http://", "ws://", 1) + "?EIO=4&transport=websocket&sid=" + url.QueryEscape(c.sid)
	h := http.Header{}
	for k, v := range c.header {
		h[k] = v
	}
	ws, res, err := websocket.DefaultDialer.Dial(u, h)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		c.t.Fatalf("ws dial: %v (status %d)", err, status)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte("2probe")); err != nil {
		c.t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, msg, err := ws.ReadMessage()
	if err != nil || string(msg) != "3probe" {
		c.t.Fatalf("probe: %q %v", msg, err)
	}
	// The pending poll is answered with a noop once the upgrade completes.
	if err := ws.WriteMessage(websocket.TextMessage, []byte("5")); err != nil {
		c.t.Fatal(err)
	}
	c.ws = ws
}

func (c *eio) close() {
	if c.ws != nil {
		_ = c.ws.Close()
	}
}

// event reads the next dataChanged event and returns its payload as sent.
func (c *eio) event() string {
	c.t.Helper()
	for {
		p := c.next()
		if p == "6" { // noop after an upgrade
			continue
		}
		const prefix = `42["dataChanged",`
		if !strings.HasPrefix(p, prefix) || !strings.HasSuffix(p, "]") {
			c.t.Fatalf("want a dataChanged event, got %q", p)
		}
		return p[len(prefix) : len(p)-1]
	}
}
