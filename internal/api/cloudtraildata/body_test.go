package cloudtraildata

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

var bodySeeds = []string{
	`{"auditEvents":[{"id":"1","eventData":"{\"version\":\"1.0\"}","eventDataChecksum":"abc"}]}`,
	`{"auditEvents":[{"id":"1","eventData":"x"},{"id":"2","eventData":"\u00e9\ud83d\ude00","other":[1,{"a":null}]}],"extra":{"k":[true,false]}}`,
	` { "auditEvents" : [ { "id" : "1" } , null ] } `,
	`{"auditEvents":null}`,
	`null`,
	`{}`,
	`{"auditEvents":[]}`,
	`{"AuditEvents":[{"ID":"1"}]}`,
	`{"auditEvents":[{"id":1}]}`,
	`{"auditEvents":"x"}`,
	`{"auditEvents":[{"id":"1"}]} trailing`,
	`{"auditEvents":[{"id":"1"}],"auditEvents":[{"id":"2"}]}`,
	`{"auditEvents":[{"id":"1","id":"2"}]}`,
	`{"audit\u0045vents":[]}`,
	"{\"auditEvents\":[{\"id\":\"\xff\"}]}",
	`{"auditEvents":[{"id":"1",}]}`,
	`[]`,
	``,
}

// The fast decoder and encoding/json agree on every input: the decoder
// either gives up or produces what encoding/json produces, and it never
// accepts what encoding/json rejects.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAgainstEncodingJSON(t, body)
	})
}

func TestDecodeBodyAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range bodySeeds {
		checkAgainstEncodingJSON(t, []byte(s))
	}
	var b strings.Builder
	b.WriteString(`{"auditEvents":[`)
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"e%d","eventData":%q}`, i, fmt.Sprintf(`{"version":"1.0","n":%d,"s":"é\n"}`, i))
	}
	b.WriteString(`]}`)
	var r PutAuditEventsRequest
	if !r.DecodeBody([]byte(b.String())) || len(r.AuditEvents) != 100 || *r.AuditEvents[99].Id != "e99" {
		t.Fatalf("a typical body was not decoded: %d events", len(r.AuditEvents))
	}
	checkAgainstEncodingJSON(t, []byte(b.String()))
}

func checkAgainstEncodingJSON(t *testing.T, body []byte) {
	t.Helper()
	var fast, slow PutAuditEventsRequest
	ok := fast.DecodeBody(body)
	err := json.Unmarshal(body, &slow)
	if !ok {
		if !reflect.DeepEqual(fast, PutAuditEventsRequest{}) {
			t.Fatalf("gave up on %q but left %+v", body, fast)
		}
		return
	}
	if err != nil {
		t.Fatalf("decoded %q, which encoding/json rejects: %v", body, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("decoded %q as %+v, encoding/json as %+v", body, fast, slow)
	}
}

func BenchmarkDecodeBody(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"auditEvents":[`)
	for i := range 100 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"e%d","eventData":%q}`, i, fmt.Sprintf(`{"version":"1.0","userIdentity":{"type":"CustomUser","principalId":"u%d"},"eventSource":"app","eventName":"Login","eventTime":"2026-11-21T10:00:00Z","UID":"%d","recipientAccountId":"123456789012","requestParameters":{"note":%q}}`, i, i, strings.Repeat("n", 800)))
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var r PutAuditEventsRequest
			r.DecodeBody(body)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var r PutAuditEventsRequest
			_ = json.Unmarshal(body, &r)
		}
	})
}
