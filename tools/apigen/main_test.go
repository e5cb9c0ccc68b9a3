package main

import (
	"bytes"
	"os"
	"path/filepath"
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
