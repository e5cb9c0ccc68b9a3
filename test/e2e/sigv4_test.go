package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const credentialsYAML = `accounts:
  - id: "123456789012"
    alias: e2e-dev
    rootAccessKeys:
      - accessKeyId: AKIAE2EROOT000000001
        secretAccessKey: e2e-root-secret
    users:
      - name: alice
        accessKeys:
          - accessKeyId: AKIAE2EALICE00000001
            secretAccessKey: e2e-alice-secret
  - id: "210987654321"
    users:
      - name: auditor
        accessKeys:
          - accessKeyId: AKIAE2EAUDITOR000001
            secretAccessKey: e2e-auditor-secret
`

// TestSigV4 runs the binary with --auth sigv4 and a credentials file and
// checks that only correctly signed requests from listed keys get through.
func TestSigV4(t *testing.T) {
	t.Parallel()
	python.require(t)
	awsCLI.require(t)
	creds := filepath.Join(t.TempDir(), "credentials.yaml")
	if err := os.WriteFile(creds, []byte(credentialsYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, withArgs("--auth", "sigv4", "--credentials", creds))
	if status, health := srv.health(); status != 200 || health["auth"] != "sigv4" {
		t.Errorf("/_cairn/health = %d %v, want 200 with auth sigv4", status, health)
	}

	identities, _ := json.Marshal([]obj{
		{"name": "root", "key": "AKIAE2EROOT000000001", "secret": "e2e-root-secret"},
		{"name": "alice", "key": "AKIAE2EALICE00000001", "secret": "e2e-alice-secret"},
		{"name": "auditor", "key": "AKIAE2EAUDITOR000001", "secret": "e2e-auditor-secret"},
		{"name": "wrong_secret", "key": "AKIAE2EALICE00000001", "secret": "not-alices-secret"},
		{"name": "unknown_key", "key": "AKIAE2EUNKNOWN000001", "secret": "whatever"},
	})
	var out obj
	srv.as(t, "AKIAE2EROOT000000001", "e2e-root-secret", "us-east-1").pythonJSON(&out, "sigv4.py", string(identities))

	wantFields(t, "create_trail signed by the root key", step(t, out, "create"), obj{
		"TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/signed-trail",
	})
	for name, account := range map[string]string{"root": "123456789012", "alice": "123456789012"} {
		got := step(t, out, name)
		if got["code"] != nil {
			t.Errorf("%s's correctly signed describe_trails failed: %s", name, compact(got))
			continue
		}
		trail := only(t, name+" describe_trails", object(t, "response", got["response"]), "trailList")
		wantFields(t, name+" describe_trails", trail, obj{"TrailARN": "arn:aws:cloudtrail:us-east-1:" + account + ":trail/signed-trail"})
	}
	// The auditor is in another account: signed correctly, sees nothing.
	if got := step(t, out, "auditor"); got["code"] != nil {
		t.Errorf("the auditor's describe_trails failed: %s", compact(got))
	} else if l := list(t, "auditor describe_trails", object(t, "response", got["response"]), "trailList"); len(l) != 0 {
		t.Errorf("account 210987654321 sees account 123456789012's trails: %s", compact(l))
	}
	wantError(t, "describe_trails with a wrong secret", step(t, out, "wrong_secret"), "InvalidSignatureException", 403)
	if got := step(t, out, "unknown_key"); got["code"] != "UnrecognizedClientException" {
		t.Errorf("describe_trails with an unknown key: got %s, want UnrecognizedClientException", compact(got))
	}
	if got := step(t, out, "wrong_secret_s3"); got["code"] != "SignatureDoesNotMatch" || got["status"] != float64(403) {
		t.Errorf("s3 list_buckets with a wrong secret: got %s, want SignatureDoesNotMatch (403)", compact(got))
	}
	if got := step(t, out, "unknown_key_s3"); got["code"] != "InvalidAccessKeyId" || got["status"] != float64(403) {
		t.Errorf("s3 list_buckets with an unknown key: got %s, want InvalidAccessKeyId (403)", compact(got))
	}

	presigned := step(t, out, "presigned_get")
	wantFields(t, "GET of a presigned URL", presigned, obj{"status": 200, "body": "presigned content"})
	tampered := step(t, out, "presigned_get_tampered")
	if tampered["status"] != float64(403) || !strings.Contains(fmt.Sprint(tampered["body"]), "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("GET of a presigned URL with a changed signature: %s, want 403 SignatureDoesNotMatch", compact(tampered))
	}
	wantFields(t, "PUT to a presigned URL", step(t, out, "presigned_put"), obj{"status": 200})
	wantFields(t, "the object PUT through a presigned URL", out, obj{"presigned_put_readback": "uploaded through a presigned URL"})
	expired := step(t, out, "presigned_get_expired")
	if expired["status"] != float64(403) || !strings.Contains(fmt.Sprint(expired["body"]), "<Code>AccessDenied</Code>") {
		t.Errorf("GET of an expired presigned URL: %s, want 403 AccessDenied", compact(expired))
	}

	// The reset endpoints exist only in open mode.
	resp, err := http.Post(srv.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("POST /moto-api/reset answered 200 in sigv4 mode")
	}

	// The aws CLI: the right secret lists the bucket (still there after the
	// refused reset), a wrong one is refused.
	r := srv.as(t, "AKIAE2EALICE00000001", "e2e-alice-secret", "us-east-1").aws("s3", "ls").ok(t)
	if !strings.Contains(r.Stdout, "e2e-sigv4") {
		t.Errorf("aws s3 ls with alice's key should list e2e-sigv4:\n%s", r)
	}
	r = srv.as(t, "AKIAE2EALICE00000001", "not-alices-secret", "us-east-1").aws("s3", "ls")
	if r.Code == 0 || !strings.Contains(r.Stderr, "SignatureDoesNotMatch") {
		t.Errorf("aws s3 ls with a wrong secret should fail with SignatureDoesNotMatch:\n%s", r)
	}
}
