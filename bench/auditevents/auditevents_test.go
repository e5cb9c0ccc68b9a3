package auditevents

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/cairnhq/cairn/internal/testenv"
)

// Command (the default is the CI smoke size):
//
//	CAIRN_BENCH_AUDIT_SECONDS=20 go test ./bench/auditevents -run TestMeasurePutAuditEvents -v -timeout 10m

const (
	account   = "123456789012"
	region    = "us-east-1"
	clients   = 8
	batchSize = 100
)

// eventData is a ~1 KB integration event.
func eventData(client, i int) string {
	return fmt.Sprintf(`{"version":"1.0","userIdentity":{"type":"CustomUser","principalId":"user-%d","details":{"department":"payments","role":"operator","mfa":true}},"userAgent":"inventory-service/4.2 (linux; amd64)","eventSource":"inventory.example.com","eventName":"UpdateItem","eventTime":"2026-11-21T10:%02d:%02dZ","UID":"c%d-%d","requestParameters":{"itemId":"item-%08d","quantity":%d,"warehouse":"eu-central-7","note":%q},"responseElements":{"status":"OK","version":%d},"sourceIPAddress":"198.51.100.%d","recipientAccountId":"%s","additionalEventData":{"traceId":"1-5759e988-bd862e3fe1be46a994272793","spanId":"53995c3f42cd8ad8"}}`,
		client, i%60, (i/60)%60, client, i, i, i%17, strings.Repeat("n", 420), i, i%250, account)
}

func body(t testing.TB, client, start int) []byte {
	entries := make([]map[string]string, batchSize)
	for j := range entries {
		entries[j] = map[string]string{"id": fmt.Sprintf("e%d", start+j), "eventData": eventData(client, start+j)}
	}
	b, err := json.Marshal(map[string]any{"auditEvents": entries})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type answer struct {
	Successful []struct{ ID, EventID string }   `json:"successful"`
	Failed     []struct{ ID, ErrorCode string } `json:"failed"`
}

func TestMeasurePutAuditEvents(t *testing.T) {
	seconds := testenv.EnvInt("CAIRN_BENCH_AUDIT_SECONDS", 2)
	srv := testenv.Start(t)
	ct := srv.CloudTrail(account, region)
	ctx := context.Background()
	store, err := ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{
		Name: aws.String("bench"),
		AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"ActivityAuditLog"}},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := ct.CreateChannel(ctx, &cloudtrail.CreateChannelInput{Name: aws.String("bench"), Source: aws.String("Custom"),
		Destinations: []types.Destination{{Type: types.DestinationTypeEventDataStore, Location: store.EventDataStoreArn}}})
	if err != nil {
		t.Fatal(err)
	}
	target := srv.URL() + "/PutAuditEvents?" + url.Values{"channelArn": {*ch.ChannelArn}}.Encode()
	creds, _ := srv.AWSConfig(account, "secret", region).Credentials.Retrieve(ctx)
	signer := v4.NewSigner()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}

	var (
		acked     atomic.Int64
		mu        sync.Mutex
		latencies []time.Duration
		eventIDs  = make([][]string, clients)
		wg        sync.WaitGroup
	)
	// Bodies are built before the clock starts: the clients' own encoding
	// is not what is measured.
	const distinctBodies = 20
	bodies := make([][][]byte, clients)
	for c := range clients {
		for k := range distinctBodies {
			bodies[c] = append(bodies[c], body(t, c, k*batchSize))
		}
	}
	if path := os.Getenv("CAIRN_BENCH_AUDIT_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer f.Close()
	}
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for k := 0; time.Now().Before(deadline); k++ {
				b := bodies[c][k%distinctBodies]
				req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				// Open mode does not check signatures; the client skips
				// hashing the body, as a client on another machine would
				// not cost this one.
				req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
				if err := signer.SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "cloudtrail-data", region, time.Now()); err != nil {
					t.Error(err)
					return
				}
				began := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(began))
				var a answer
				if resp.StatusCode != 200 || json.Unmarshal(raw, &a) != nil || len(a.Successful) != batchSize {
					t.Errorf("PutAuditEvents: %d %.300s", resp.StatusCode, raw)
					return
				}
				acked.Add(int64(len(a.Successful)))
				for _, s := range a.Successful {
					eventIDs[c] = append(eventIDs[c], s.EventID)
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	pprof.StopCPUProfile()
	if t.Failed() {
		return
	}
	loadPeak := peakRSS()
	if path := os.Getenv("CAIRN_BENCH_AUDIT_HEAPPROFILE"); path != "" {
		writeHeapProfile(t, path)
	}
	// The event store absorbs the backlog the journal acknowledged
	// (LookupEvents moves every acknowledged event into it first); then
	// every event is read back.
	absorbStart := time.Now()
	if _, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	absorb := time.Since(absorbStart)
	stored, err := srv.EventDataStoreEvents(ctx, account, region, *store.EventDataStoreArn)
	if err != nil {
		t.Fatal(err)
	}

	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	n := acked.Load()
	t.Logf("machine: %d CPUs, %s", runtime.NumCPU(), runtime.Version())
	t.Logf("%d clients x %d-event requests for %s: %d events acknowledged, %.0f events/s durable (%d requests)",
		clients, batchSize, elapsed.Round(time.Millisecond), n, float64(n)/elapsed.Seconds(), len(latencies))
	t.Logf("request latency: p50 %s, p90 %s, p99 %s, max %s",
		pct(0.50).Round(time.Microsecond), pct(0.90).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), latencies[len(latencies)-1].Round(time.Microsecond))
	t.Logf("the event store held every acknowledged event %s after the load ended; rate into the event store over load and catch-up %.0f events/s",
		absorb.Round(time.Millisecond), float64(n)/(elapsed+absorb).Seconds())
	t.Logf("peak RSS of the process (server and clients) during the load: %d MiB; after reading every event back: %d MiB", loadPeak>>20, peakRSS()>>20)

	// Every acknowledged event is stored, once.
	want := map[string]bool{}
	for _, ids := range eventIDs {
		for _, id := range ids {
			want[id] = true
		}
	}
	if len(stored) != len(want) || int64(len(want)) != n {
		t.Fatalf("stored %d events, acknowledged %d (%d distinct)", len(stored), n, len(want))
	}
	for _, r := range stored {
		var rec struct {
			EventID string `json:"eventID"`
		}
		_ = json.Unmarshal(r, &rec)
		if !want[rec.EventID] {
			t.Fatalf("stored event %s was never acknowledged", rec.EventID)
		}
	}
}

// writeHeapProfile records the Go heap as the load ends.
func writeHeapProfile(t *testing.T, path string) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		t.Fatal(err)
	}
}

// peakRSS is the process's peak resident set size so far, in bytes.
func peakRSS() int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
