package loadgen

import (
	"bytes"
	"strconv"
	"testing"
	"time"
)

// TestServeFloor: the floor server answers the compare cases' requests in
// the shapes the workers check.
func TestServeFloor(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	host := "127.0.0.1:" + strconv.Itoa(port)
	go ServeFloor(host)
	c := newConn(host)
	defer c.close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := call(c, host, cloudTrailRequest("123456789012", "DescribeTrails", "{}")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the floor server did not answer")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, wl := range []workload{getTrailWorkload, createDeleteWorkload} {
		tgt := &target{name: "floor", getKey: "123456789012", workerKey: cairnWorkerKey}
		for _, o := range wl.ops(tgt, 3) {
			resp, err := call(c, host, o.req)
			if err != nil {
				t.Fatalf("%s: %v", o.name, err)
			}
			if o.expect != nil && !bytes.Contains(resp.body, o.expect) {
				t.Errorf("%s: %s lacks %q", o.name, resp.body, o.expect)
			}
		}
	}
}
