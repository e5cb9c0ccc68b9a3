package e2e

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
)

// TestPersistence_SIGTERMRestart builds a varied state, stops the server with
// SIGTERM, starts a new one on the same data directory and requires
// everything the clients could see before to be there, unchanged.
func TestPersistence_SIGTERMRestart(t *testing.T) {
	t.Parallel()
	python.require(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	first := startServer(t, withDataDir(dataDir))
	first.open(t, defaultAccount).python("state.py", "setup").ok(t)
	var before obj
	first.open(t, defaultAccount).pythonJSON(&before, "state.py", "dump")
	first.stop()

	second := startServer(t, withDataDir(dataDir))
	var after obj
	second.open(t, defaultAccount).pythonJSON(&after, "state.py", "dump")

	// The dump must show the state setup made, so that comparing two empty
	// dumps cannot pass.
	account := object(t, defaultAccount, before[defaultAccount])
	east := object(t, "us-east-1", account["us-east-1"])
	kept := object(t, "kept-trail", east["kept-trail"])
	wantFields(t, "kept-trail", object(t, "trail", kept["trail"]), obj{
		"S3KeyPrefix": "kept", "IsMultiRegionTrail": true, "LogFileValidationEnabled": true,
		"HasCustomEventSelectors": true, "HasInsightSelectors": true,
	})
	wantFields(t, "kept-trail status", object(t, "status", kept["status"]), obj{"IsLogging": true})
	if got := tagMap(t, "kept-trail tags", list(t, "tags", only(t, "tags", object(t, "tags", kept["tags"]), "ResourceTagList"), "TagsList")); !jsonEqual(got, map[string]string{"survives": "restart", "second": "tag"}) {
		t.Errorf("kept-trail tags before the restart = %v", got)
	}
	if _, ok := object(t, "us-west-2", account["us-west-2"])["west-trail"]; !ok {
		t.Errorf("west-trail is missing from the dump: %s", compact(account["us-west-2"]))
	}
	if _, ok := object(t, "buckets", account["buckets"])["e2e-persist"]; !ok {
		t.Errorf("bucket e2e-persist is missing from the dump: %s", compact(account["buckets"]))
	}
	other := object(t, "111111111111", before["111111111111"])
	if _, ok := object(t, "us-east-1", other["us-east-1"])["other-account-trail"]; !ok {
		t.Errorf("account 111111111111's trail is missing from the dump: %s", compact(other))
	}

	for _, key := range []string{defaultAccount, "111111111111", "public_keys"} {
		if !jsonEqual(before[key], after[key]) {
			t.Errorf("%s changed across a SIGTERM restart:\nbefore: %s\nafter:  %s", key, compact(before[key]), compact(after[key]))
		}
	}
}

// TestPersistence_KillDashNine kills the server with SIGKILL right after it
// acknowledged a CreateTrail; every acknowledged write must survive.
func TestPersistence_KillDashNine(t *testing.T) {
	t.Parallel()
	python.require(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	first := startServer(t, withDataDir(dataDir))
	first.open(t, defaultAccount).withEnv("CAIRN_PID="+strconv.Itoa(first.Pid())).python("state.py", "crash").ok(t)
	first.awaitKilled()

	second := startServer(t, withDataDir(dataDir))
	var dump obj
	second.open(t, defaultAccount).pythonJSON(&dump, "state.py", "dump")
	account := object(t, defaultAccount, dump[defaultAccount])
	east := object(t, "us-east-1", account["us-east-1"])
	if len(east) != 2 {
		t.Errorf("after kill -9 us-east-1 should hold first-trail and last-trail: %s", compact(east))
	}
	last := object(t, "last-trail (acknowledged right before kill -9)", east["last-trail"])
	wantFields(t, "last-trail after kill -9", object(t, "trail", last["trail"]), obj{
		"Name": "last-trail", "IsMultiRegionTrail": true, "S3BucketName": "e2e-crash",
	})
	firstTrail := object(t, "first-trail", east["first-trail"])
	wantFields(t, "first-trail status after kill -9", object(t, "status", firstTrail["status"]), obj{"IsLogging": true})
	tags := only(t, "first-trail tags", object(t, "tags", firstTrail["tags"]), "ResourceTagList")
	wantFields(t, "first-trail tags after kill -9", tags, obj{"TagsList": []any{obj{"Key": "k", "Value": "v"}}})
	// The multi-region trail's shadow is back too.
	if _, ok := object(t, "us-west-2", account["us-west-2"])["last-trail"]; !ok {
		t.Errorf("after kill -9 last-trail's shadow is missing from us-west-2: %s", compact(account["us-west-2"]))
	}
	sum := sha256.Sum256([]byte("written before the crash"))
	wantFields(t, "bucket e2e-crash after kill -9", object(t, "buckets", account["buckets"]), obj{
		"e2e-crash": obj{"acknowledged": obj{"sha256": hex.EncodeToString(sum[:]), "size": 24, "metadata": obj{},
			"etag": fmt.Sprintf(`"%x"`, md5.Sum([]byte("written before the crash")))}},
	})
}
