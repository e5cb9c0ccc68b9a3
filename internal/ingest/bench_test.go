package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/events"
)

// discard is an Appender that stores nothing.
type discard struct{}

func (discard) Append(_ context.Context, recs []events.Record) (int64, error) {
	return int64(len(recs)), nil
}

// benchBody is a {"Records":[...]} body of n records of about 1.2 KB, like
// the load generator's.
func benchBody(b *testing.B, n int) []byte {
	recs := make([]any, n)
	for i := range recs {
		recs[i] = record(fmt.Sprintf("0b6a1d5e-7f3c-4e2a-8d9b-%012d", i), map[string]any{
			"userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2 prompt/off command/ec2.run-instances",
			"requestParameters": map[string]any{"instancesSet": map[string]any{"items": []any{map[string]any{"imageId": fmt.Sprintf("ami-%017x", i), "minCount": 1, "maxCount": 1}}},
				"instanceType": "m7g.large", "blockDeviceMapping": map[string]any{}, "monitoring": map[string]any{"enabled": false}, "disableApiTermination": false},
			"responseElements": map[string]any{"reservationId": fmt.Sprintf("r-%017x", i), "ownerId": acct,
				"instancesSet": map[string]any{"items": []any{map[string]any{"instanceId": fmt.Sprintf("i-%017x", i), "instanceState": map[string]any{"code": 0, "name": "pending"}}}}},
			"resources":  []any{map[string]any{"ARN": fmt.Sprintf("arn:aws:ec2:us-east-1:%s:instance/i-%017x", acct, i), "accountId": acct, "type": "AWS::EC2::Instance"}},
			"tlsDetails": map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "ec2.us-east-1.amazonaws.com"},
			"eventName":  "RunInstances", "eventSource": "ec2.amazonaws.com", "readOnly": false,
		})
	}
	body, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkIngest is Service.Ingest of a 100-record body, without storage;
// ns/op divided by 100 is the cost per record.
func BenchmarkIngest(b *testing.B) {
	body := benchBody(b, 100)
	for _, c := range []struct {
		name string
		body []byte
	}{{"plain", body}, {"gzip", gz(b, body)}} {
		b.Run(c.name, func(b *testing.B) {
			s := New(Config{Appender: discard{}, Now: func() time.Time { return testNow }})
			ctx := callerCtx(acct)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				out, err := s.Ingest(ctx, c.body)
				if err != nil || out.(*Result).Accepted != 100 {
					b.Fatalf("%v %+v", err, out)
				}
			}
		})
	}
}
