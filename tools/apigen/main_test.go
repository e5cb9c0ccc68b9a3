package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCodeIsCurrent regenerates the API packages and fails if the
// committed files differ, so a model or generator change can't land without
// running go generate.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	cases := []struct{ model, pkg, dir string }{
		{"../../models/smithy/cloudtrail.json", "cloudtrail", "../../internal/api/cloudtrail"},
		{"../../models/smithy/cloudtrail-data.json", "cloudtraildata", "../../internal/api/cloudtraildata"},
	}
	for _, tc := range cases {
		t.Run(tc.pkg, func(t *testing.T) {
			out := t.TempDir()
			if err := run(tc.model, tc.pkg, out); err != nil {
				t.Fatal(err)
			}
			generated, err := filepath.Glob(filepath.Join(out, "*.go"))
			if err != nil || len(generated) == 0 {
				t.Fatalf("nothing generated: %v", err)
			}
			for _, path := range generated {
				want, _ := os.ReadFile(path)
				got, err := os.ReadFile(filepath.Join(tc.dir, filepath.Base(path)))
				if err != nil {
					t.Fatalf("%s is not committed: run go generate ./internal/api", filepath.Base(path))
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s is stale: run go generate ./internal/api", filepath.Base(path))
				}
			}
		})
	}
}

func TestGeneratedOperationTable(t *testing.T) {
	out := t.TempDir()
	if err := run("../../models/smithy/cloudtrail.json", "cloudtrail", out); err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(filepath.Join(out, "zz_generated_operations.go"))
	if n := bytes.Count(src, []byte("NewInput:")); n != 60 {
		t.Fatalf("operation table has %d operations, want 60", n)
	}
}

// TestEventJSON_Sensitive: members the model marks sensitive, on the
// member or on its target, are written as api.HiddenValue in event records
// (CloudTrail's HIDDEN_DUE_TO_SECURITY_REASONS); members are sorted by
// their lower-case-first names; query-bound members are left out.
func TestEventJSON_Sensitive(t *testing.T) {
	model := `{"smithy":"2.0","shapes":{
		"x#Svc":{"type":"service","operations":[{"target":"x#Op"}]},
		"x#Op":{"type":"operation","input":{"target":"x#OpRequest"},"output":{"target":"x#OpResponse"}},
		"x#Secret":{"type":"string","traits":{"smithy.api#sensitive":{}}},
		"x#OpRequest":{"type":"structure","members":{
			"Password":{"target":"smithy.api#String","traits":{"smithy.api#sensitive":{}}},
			"Token":{"target":"x#Secret"},
			"Name":{"target":"smithy.api#String"},
			"aLower":{"target":"smithy.api#Integer"},
			"Query":{"target":"smithy.api#String","traits":{"smithy.api#httpQuery":"q"}}}},
		"x#OpResponse":{"type":"structure","members":{}}}}`
	dir := t.TempDir()
	path := filepath.Join(dir, "model.json")
	if err := os.WriteFile(path, []byte(model), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := run(path, "x", out); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(out, "zz_generated_eventjson.go"))
	if err != nil {
		t.Fatal(err)
	}
	fn := string(src[bytes.Index(src, []byte("func (s *OpRequest) AppendEventJSON")):])
	fn = fn[:strings.Index(fn, "\n}\n")]
	if n := strings.Count(fn, "api.AppendJSONString(b, api.HiddenValue)"); n != 2 {
		t.Errorf("%d sensitive members hidden, want 2:\n%s", n, fn)
	}
	if strings.Contains(fn, "*s.Password") || strings.Contains(fn, "*s.Token") || strings.Contains(fn, "Query") {
		t.Errorf("a sensitive or query member's value is written:\n%s", fn)
	}
	order := []string{`"\"aLower\":"`, `"\"name\":"`, `"\"password\":"`, `"\"token\":"`}
	last := -1
	for _, key := range order {
		i := strings.Index(fn, key)
		if i < last {
			t.Errorf("member %s out of order:\n%s", key, fn)
		}
		last = i
	}
}
