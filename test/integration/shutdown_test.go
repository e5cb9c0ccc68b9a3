package integration

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/cairnhq/cairn/internal/testenv"
)

// dialRefused reports whether a new connection to addr is refused.
func dialRefused(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return true
	}
	c.Close()
	return false
}

func TestShutdown_InFlightRequestCompletes(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	addr := srv.Addr()
	conn, err := net.Dial("tcp", addr)
	must(t, err, "dial")
	defer conn.Close()
	must(t, conn.SetDeadline(time.Now().Add(20*time.Second)), "SetDeadline")

	// The request asks for 100-continue, so the server says when its
	// handler starts reading the body: from then on the request is in
	// flight.
	body := `{"includeShadowTrails":true}`
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.1\r\n"+
		"X-Amz-Target: CloudTrail_20131101.DescribeTrails\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(body))
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	must(t, err, "reading 100 Continue")
	if !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("server answered %q before the body was sent", line)
	}
	if blank, err := r.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q %v", blank, err)
	}
	_, err = io.WriteString(conn, body[:10])
	must(t, err, "writing the first part of the body")

	stopped := make(chan struct{})
	go func() {
		srv.Stop()
		close(stopped)
	}()

	// Shutdown closes the listener at once but waits for the request.
	deadline := time.Now().Add(5 * time.Second)
	for !dialRefused(addr) {
		if time.Now().After(deadline) {
			t.Fatal("new connections are still accepted 5 s after Shutdown started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-stopped:
		t.Fatal("Shutdown returned while a request was in flight")
	case <-time.After(100 * time.Millisecond):
	}

	_, err = io.WriteString(conn, body[10:])
	must(t, err, "writing the rest of the body")
	resp, err := http.ReadResponse(r, nil)
	must(t, err, "reading the response")
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out map[string]any
	if resp.StatusCode != 200 || json.Unmarshal(raw, &out) != nil || out["trailList"] == nil {
		t.Fatalf("in-flight request answered %d %s", resp.StatusCode, raw)
	}

	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not return after the in-flight request finished")
	}
	if !dialRefused(addr) {
		t.Error("a new connection was accepted after Shutdown")
	}
	_, err = srv.CloudTrail(accountA, usEast1).DescribeTrails(t.Context(), &cloudtrail.DescribeTrailsInput{})
	if err == nil {
		t.Error("an SDK call succeeded after Shutdown")
	}
}
