package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/smithy-go"

	"github.com/cairnhq/cairn/internal/testenv"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

type rawResponse struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func postJSON(t *testing.T, url, target string, body []byte, headers ...string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) rawResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := rawResponse{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func TestAWSJSON_BothTargetForms(t *testing.T) {
	srv := testenv.Start(t)
	for _, target := range []string{
		"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails",
		"CloudTrail_20131101.DescribeTrails",
	} {
		resp := postJSON(t, srv.URL(), target, []byte(`{}`))
		if resp.status != 200 {
			t.Fatalf("%s: status %d body %s", target, resp.status, resp.raw)
		}
		if got := resp.header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
			t.Errorf("Content-Type %q", got)
		}
		if !uuidPattern.MatchString(resp.header.Get("x-amzn-RequestId")) {
			t.Errorf("x-amzn-RequestId %q is not a UUID", resp.header.Get("x-amzn-RequestId"))
		}
		list, ok := resp.body["trailList"].([]any)
		if !ok || len(list) != 0 {
			t.Errorf("trailList should be an empty list, got %s", resp.raw)
		}
	}
}

func TestAWSJSON_ProtocolErrors(t *testing.T) {
	srv := testenv.Start(t)
	cases := []struct {
		name       string
		target     string
		body       string
		wantStatus int
		wantType   string
	}{
		{"unknown operation", "CloudTrail_20131101.MakeCoffee", `{}`, 400, "UnknownOperationException"},
		{"unknown service prefix", "Other_20131101.DescribeTrails", `{}`, 400, "UnknownOperationException"},
		{"malformed JSON", "CloudTrail_20131101.GetTrail", `{"Name":`, 400, "SerializationException"},
		{"not an object", "CloudTrail_20131101.GetTrail", `[1,2]`, 400, "SerializationException"},
		{"wrong member type", "CloudTrail_20131101.GetTrail", `{"Name": 5}`, 400, "SerializationException"},
		{"wrong timestamp type", "CloudTrail_20131101.LookupEvents", `{"StartTime": "yesterday"}`, 400, "SerializationException"},
		{"missing required member", "CloudTrail_20131101.GetTrail", `{}`, 400, "ValidationException"},
		{"not implemented operation", "CloudTrail_20131101.GenerateQuery",
			`{"EventDataStores":["arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/example"],"Prompt":"Show me sign-ins"}`,
			400, "UnsupportedOperationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := postJSON(t, srv.URL(), tc.target, []byte(tc.body))
			if resp.status != tc.wantStatus || resp.body["__type"] != tc.wantType {
				t.Fatalf("got %d %s, want %d %s", resp.status, resp.raw, tc.wantStatus, tc.wantType)
			}
			if resp.header.Get("x-amzn-RequestId") == "" {
				t.Error("error response without x-amzn-RequestId")
			}
		})
	}
}

func TestAWSJSON_ValidationMessage(t *testing.T) {
	srv := testenv.Start(t)
	resp := postJSON(t, srv.URL(), "CloudTrail_20131101.GetTrail", []byte(`{}`))
	want := "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"
	if resp.body["message"] != want {
		t.Fatalf("message %q, want %q", resp.body["message"], want)
	}
}

func TestAWSJSON_BodyTooLarge(t *testing.T) {
	srv := testenv.Start(t)
	big := bytes.Repeat([]byte("a"), int(srv.Config.MaxBodyBytes)+10)
	body := append(append([]byte(`{"Name":"`), big...), '"', '}')
	resp := postJSON(t, srv.URL(), "CloudTrail_20131101.GetTrail", body)
	if resp.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413: %s", resp.status, resp.raw)
	}
}

func TestSDK_NotImplementedOperationsNameThemselves(t *testing.T) {
	srv := testenv.Start(t)
	ct := srv.CloudTrail("123456789012", "us-east-1")
	// Cairn does not build natural-language query generation.
	_, err := ct.GenerateQuery(context.Background(), &cloudtrail.GenerateQueryInput{
		EventDataStores: []string{"arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/example"},
		Prompt:          aws.String("Show me every console sign-in of the last week"),
	})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnsupportedOperationException" || !strings.Contains(apiErr.ErrorMessage(), "GenerateQuery") {
		t.Fatalf("got %v", err)
	}
}

// TestRESTJSON_PutAuditEventsChannelNotFound checks the rest-json error
// shape of CloudTrail Data: HTTP status, the X-Amzn-ErrorType header and a
// JSON body with the message.
func TestRESTJSON_PutAuditEventsChannelNotFound(t *testing.T) {
	srv := testenv.Start(t)
	const channel = "arn:aws:cloudtrail:us-east-1:123456789012:channel/00000000-0000-4000-8000-000000000000"
	body := []byte(`{"auditEvents":[{"id":"1","eventData":"{}"}]}`)
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/PutAuditEvents?channelArn="+url.QueryEscape(channel), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	signer := v4.NewSigner()
	creds, _ := srv.AWSConfig("123456789012", "x", "us-east-1").Credentials.Retrieve(context.Background())
	sum := sha256Hex(body)
	if err := signer.SignHTTP(context.Background(), creds, req, sum, "cloudtrail-data", "us-east-1", nowUTC()); err != nil {
		t.Fatal(err)
	}
	resp := do(t, req)
	if resp.status != 400 || resp.header.Get("X-Amzn-ErrorType") != "ChannelNotFound" {
		t.Fatalf("got %d %v %s", resp.status, resp.header, resp.raw)
	}
	if ct := resp.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if resp.header.Get("x-amzn-RequestId") == "" {
		t.Error("error response without x-amzn-RequestId")
	}
	if msg, _ := resp.body["message"].(string); !strings.Contains(msg, channel) {
		t.Fatalf("the message should name the channel: %s", resp.raw)
	}
}

func TestHealth(t *testing.T) {
	srv := testenv.Start(t)
	resp, err := http.Get(srv.URL() + "/_cairn/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 || body["status"] != "ok" {
		t.Fatalf("health: %d %v", resp.StatusCode, body)
	}
}

func TestUnknownService_AnsweredClearly(t *testing.T) {
	srv := testenv.Start(t)
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds, _ := srv.AWSConfig("123456789012", "x", "us-east-1").Credentials.Retrieve(context.Background())
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(body), "sts", "us-east-1", nowUTC()); err != nil {
		t.Fatal(err)
	}
	resp := do(t, req)
	if resp.status != 400 || !bytes.Contains(resp.raw, []byte("<Code>UnrecognizedServiceException</Code>")) || !bytes.Contains(resp.raw, []byte(`&#34;sts&#34;`)) {
		t.Fatalf("got %d %s", resp.status, resp.raw)
	}
}
