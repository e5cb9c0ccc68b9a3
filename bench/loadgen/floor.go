package loadgen

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// ServeFloor serves the compare cases' requests at addr with as little
// work as an HTTP server can do: no signature check, no validation, no
// storage, no recording; it echoes the trail name in the shape each
// operation answers with. Measured beside Cairn and moto, it is the floor
// of what this machine and this load generator can show: the throughput
// ceiling and the latency that is the harness's own.
func ServeFloor(addr string) error {
	var requestID atomic.Uint64
	return http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("x-amzn-RequestId", "00000000-0000-4000-8000-"+strconv.FormatUint(100000000000+requestID.Add(1), 10))
		if r.Method != http.MethodPost || r.URL.Path != "/" {
			return // health, CreateBucket: 200 and nothing more
		}
		var in struct{ Name string }
		_ = json.Unmarshal(body, &in)
		name, _ := json.Marshal(in.Name)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		target := r.Header.Get("X-Amz-Target")
		switch target[strings.LastIndexByte(target, '.')+1:] {
		case "GetTrail":
			w.Write([]byte(`{"Trail":{"Name":` + string(name) + `,"S3BucketName":"` + benchBucket + `","HomeRegion":"us-east-1"}}`))
		case "CreateTrail":
			w.Write([]byte(`{"Name":` + string(name) + `,"S3BucketName":"` + benchBucket + `"}`))
		case "DescribeTrails":
			w.Write([]byte(`{"trailList":[]}`))
		default:
			w.Write([]byte(`{}`))
		}
	}))
}
