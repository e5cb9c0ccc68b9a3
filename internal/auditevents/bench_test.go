package auditevents

import (
	"bytes"
	"encoding/json"
	"testing"
)

// benchEvent is a ~1 KB event such as a source-control audit integration
// sends.
const benchEvent = `{"version":"1.0","userIdentity":{"type":"GitHubUser","principalId":"octo-dev-4821",` +
	`"details":{"login":"octo-dev","actorId":4821,"actorLocation":{"countryCode":"DE"},"orgRole":"member"}},` +
	`"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",` +
	`"eventSource":"github.audit.streaming","eventName":"repo.update_branch_protection",` +
	`"eventTime":"2026-03-04T05:06:07.123Z","UID":"Fk0ybXg9cYd2jS8_pQ3vXw",` +
	`"requestParameters":{"repository":"example-org/payments-service","branch":"main","requiredApprovingReviewCount":2,` +
	`"dismissStaleReviews":true,"requireCodeOwnerReviews":true,"enforceAdmins":false,"statusChecks":["ci/build","ci/test","security/scan"]},` +
	`"responseElements":{"protectionId":"BPR_kwDOabc123","updatedAt":"2026-03-04T05:06:07Z"},` +
	`"errorCode":null,"sourceIPAddress":"198.51.100.23","recipientAccountId":"123456789012",` +
	`"additionalEventData":{"business":"example-corp","org":"example-org","orgId":9912,"repoId":558812,` +
	`"operationType":"modify","transportProtocol":"http","requestId":"C3A1:2F4B:9E1D2:A1B2C3:65E5A1F7",` +
	`"hashedToken":"kLq2nV8xWm4pRt6yZc1bHd3fJg5sNe7uQa9oIv0lXk=","programmaticAccessType":"none"}}`

func BenchmarkBuild(b *testing.B) {
	var indented bytes.Buffer
	if err := json.Indent(&indented, []byte(benchEvent), "", "  "); err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name     string
		data     string
		checksum bool
	}{
		{"compact", benchEvent, false},
		{"compact+checksum", benchEvent, true},
		{"indented", indented.String(), false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			e := Entry{ID: "evt-1", EventData: c.data}
			if c.checksum {
				e.Checksum = checksum(c.data)
			}
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, f := Build(e, channel, eventID, ingested); f != nil {
					b.Fatal(f)
				}
			}
		})
	}
	b.Run("failure", func(b *testing.B) {
		e := Entry{ID: "evt-1", EventData: benchEvent}
		ch := Channel{ARN: channel.ARN, OwnerAccount: "999999999999", Region: "us-east-1"}
		b.ReportAllocs()
		for b.Loop() {
			if _, f := Build(e, ch, eventID, ingested); f == nil {
				b.Fatal("succeeded")
			}
		}
	})
}
