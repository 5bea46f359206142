package usuario

import (
	"net/http"
	"sync"
)

// maxCachedList bounds the answer listCache keeps (≈ 7,000 usuarios): a
// longer staff list is streamed from the database each time, as before.
const maxCachedList = 4 << 20

// listCache keeps GET /usuario's whole answer, plain and gzip-compressed,
// with the usuario_list_version it was read at. The frontend loads this
// list on most screens; building it (the query and 110 KB of JSON for 202
// usuarios) was nearly all of the request's cost. The version is read on
// every request (a primary-key read), so the answer is exact on every
// replica: a change committed anywhere raises it, and the next request
// reads the list again.
//
// GET /usuario/:id answers are kept the same way, per id, for the same
// version: the lookup then costs one read of a one-row table instead of a
// three-table join and its encoding.
type listCache struct {
	mu      sync.Mutex
	version int64
	plain   []byte
	gz      []byte

	oneVersion int64
	one        map[int64][]byte
}

// maxCachedOne bounds the kept GET /usuario/:id answers (~600 bytes each).
const maxCachedOne = 20_000

// getOne returns the answer for id kept at version.
func (c *listCache) getOne(version, id int64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.oneVersion != version {
		return nil, false
	}
	b, ok := c.one[id]
	return b, ok
}

// putOne keeps the answer for id read at version; a newer version drops
// the answers kept for the older one.
func (c *listCache) putOne(version, id int64, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.oneVersion:
		return
	case version > c.oneVersion || len(c.one) >= maxCachedOne:
		c.oneVersion, c.one = version, make(map[int64][]byte)
	}
	c.one[id] = body
}

// get returns the answer cached at version, if that is the one kept.
func (c *listCache) get(version int64) (plain, gz []byte, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plain == nil || c.version != version {
		return nil, nil, false
	}
	return c.plain, c.gz, true
}

// put keeps the answer read at version unless a newer one is kept. The
// slices are never written again once kept.
func (c *listCache) put(version int64, plain, gz []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plain != nil && c.version > version {
		return
	}
	c.version, c.plain, c.gz = version, plain, gz
}

// teeWriter copies what the handler writes, up to limit bytes, so that a
// streamed answer can be kept once it is complete.
type teeWriter struct {
	http.ResponseWriter
	buf      []byte
	limit    int
	overflow bool
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if !t.overflow {
		if len(t.buf)+len(b) > t.limit {
			t.overflow, t.buf = true, nil
		} else {
			t.buf = append(t.buf, b...)
		}
	}
	return t.ResponseWriter.Write(b)
}

func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
