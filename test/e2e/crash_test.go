package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/cairnhq/cairn/internal/testenv"
)

func crashClient(url string) *cloudtrail.Client {
	return cloudtrail.New(cloudtrail.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("555566667777", "x", ""),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
		HTTPClient:       testenv.HTTPClient,
	})
}

// TestCrash_AcknowledgedEventsSurviveSIGKILL has clients call the API
// continuously, kills the server with SIGKILL at a random moment, restarts
// it on the same data directory, and checks that every call that was
// answered (so whose event was acknowledged as durable) is in event
// history. It repeats with different kill moments.
func TestCrash_AcknowledgedEventsSurviveSIGKILL(t *testing.T) {
	dataDir := t.TempDir() + "/data"
	const rounds = 4
	acknowledged := map[string]bool{}
	for round := 0; round < rounds; round++ {
		srv := startServer(t, withDataDir(dataDir))
		ct := crashClient(srv.URL)
		var mu sync.Mutex
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
					if err != nil {
						return // the server is gone
					}
					if id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); ok {
						mu.Lock()
						acknowledged[id] = true
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(150+rand.IntN(500)) * time.Millisecond)
		srv.kill9()
		cancel()
		wg.Wait()
	}
	if len(acknowledged) < rounds*10 {
		t.Fatalf("only %d calls were answered; the test did not exercise the server", len(acknowledged))
	}

	srv := startServer(t, withDataDir(dataDir))
	recorded, err := recordedRequestIDs(crashClient(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for id := range acknowledged {
		if !recorded[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged calls have no event after %d SIGKILLs", missing, len(acknowledged), rounds)
	}
	t.Logf("%d acknowledged calls across %d SIGKILLs, all recorded (%d events in history)", len(acknowledged), rounds, len(recorded))
}

func recordedRequestIDs(ct *cloudtrail.Client) (map[string]bool, error) {
	ids := map[string]bool{}
	p := cloudtrail.NewLookupEventsPaginator(ct, &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("DescribeTrails")}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			return nil, fmt.Errorf("after %d events: %w", len(ids), err)
		}
		for _, e := range page.Events {
			var rec struct {
				RequestID string `json:"requestID"`
			}
			if err := jsonUnmarshalString(aws.ToString(e.CloudTrailEvent), &rec); err != nil {
				return nil, err
			}
			if rec.RequestID == "" {
				return nil, errors.New("an event without requestID")
			}
			ids[rec.RequestID] = true
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("no DescribeTrails events in history")
	}
	return ids, nil
}

func jsonUnmarshalString(s string, v any) error { return json.Unmarshal([]byte(s), v) }
