package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"syscall"
	"time"
)

// conn is a minimal HTTP/1.1 client over one keep-alive TCP connection. It
// writes pre-serialized requests and reads responses into a reused buffer,
// so a request costs the client two system calls and no allocations. It
// handles Content-Length and chunked bodies and reconnects when the server
// answers "Connection: close" (moto_server does, on every response) or
// drops an idle connection.
type conn struct {
	addr     string
	deadline time.Time
	nc       net.Conn
	br       *bufio.Reader
	used     bool // nc has completed at least one exchange
	body     []byte
	dials    int64
}

// response is valid until the next call of do.
type response struct {
	status int
	body   []byte
}

var errStale = errors.New("connection closed before the response started")

func newConn(addr string) *conn {
	return &conn{addr: addr, body: make([]byte, 0, 16<<10)}
}

// setDeadline bounds every later read and write, as a guard against a hung
// server; it is not a per-request timeout.
func (c *conn) setDeadline(t time.Time) {
	c.deadline = t
	if c.nc != nil {
		_ = c.nc.SetDeadline(t)
	}
}

func (c *conn) close() {
	if c.nc != nil {
		_ = c.nc.Close()
		c.nc = nil
	}
}

func (c *conn) dial() error {
	nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		return err
	}
	c.dials++
	if !c.deadline.IsZero() {
		_ = nc.SetDeadline(c.deadline)
	}
	if c.br == nil {
		c.br = bufio.NewReaderSize(nc, 32<<10)
	} else {
		c.br.Reset(nc)
	}
	c.nc, c.used = nc, false
	return nil
}

// do sends one serialized request and reads its response. A request that
// finds a reused connection already closed by the server is retried once on
// a new connection, as HTTP clients do.
func (c *conn) do(req []byte) (response, error) {
	for attempt := 0; ; attempt++ {
		if c.nc == nil {
			if err := c.dial(); err != nil {
				return response{}, err
			}
		}
		reused := c.used
		resp, keep, err := c.exchange(req)
		if err != nil {
			c.close()
			if reused && attempt == 0 && errors.Is(err, errStale) {
				continue
			}
			return response{}, err
		}
		c.used = true
		if !keep {
			c.close()
		}
		return resp, nil
	}
}

func (c *conn) exchange(req []byte) (resp response, keep bool, err error) {
	if _, err := c.nc.Write(req); err != nil {
		return resp, false, fmt.Errorf("%w: %v", errStale, err)
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		if len(line) == 0 && (errors.Is(err, io.EOF) || isReset(err)) {
			return resp, false, errStale
		}
		return resp, false, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return resp, false, fmt.Errorf("malformed status line %q", line)
	}
	resp.status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return resp, false, fmt.Errorf("malformed status line %q", line)
	}
	keep = line[7] == '1' // HTTP/1.0 closes unless told otherwise; treat as close
	contentLength, chunked := -1, false
	for {
		line, err = c.br.ReadSlice('\n')
		if err != nil {
			return resp, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if contentLength, err = strconv.Atoi(string(value)); err != nil {
				return resp, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(value, []byte("close")) {
				keep = false
			}
		}
	}
	body := c.body[:0]
	switch {
	case chunked:
		body, err = c.readChunked(body)
	case contentLength >= 0:
		if cap(body) < contentLength {
			body = make([]byte, contentLength)
		}
		body = body[:contentLength]
		_, err = io.ReadFull(c.br, body)
	default:
		keep = false
		var buf bytes.Buffer
		buf.Write(body)
		_, err = buf.ReadFrom(c.br)
		body = buf.Bytes()
	}
	if err != nil {
		return resp, false, err
	}
	c.body = body
	resp.body = body
	return resp, keep, nil
}

func (c *conn) readChunked(body []byte) ([]byte, error) {
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return body, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 || size > 64<<20 {
			return body, fmt.Errorf("bad chunk size %q", line)
		}
		if size == 0 {
			// Trailers, then the final empty line.
			for {
				line, err := c.br.ReadSlice('\n')
				if err != nil {
					return body, err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return body, nil
				}
			}
		}
		n := len(body)
		body = append(body, make([]byte, size)...)
		if _, err := io.ReadFull(c.br, body[n:]); err != nil {
			return body, err
		}
		if _, err := c.br.Discard(2); err != nil {
			return body, err
		}
	}
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
