package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestStrip_RemovesProseKeepsFacts(t *testing.T) {
	in := []byte(`{"shapes":{"a#X":{"type":"structure","traits":{"smithy.api#documentation":"<p>prose</p>","smithy.api#httpError":404},"members":{"M":{"target":"a#S","documentation":"more prose"}}}}}`)
	out, err := strip(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("prose")) {
		t.Fatalf("documentation kept: %s", out)
	}
	if !bytes.Contains(out, []byte(`"smithy.api#httpError": 404`)) || !bytes.Contains(out, []byte(`"target": "a#S"`)) {
		t.Fatalf("facts lost: %s", out)
	}
}

// TestCommittedModelsAreStripped checks the repository's copy holds no prose
// and matches a fresh strip of the upstream models when they are present.
func TestCommittedModelsAreStripped(t *testing.T) {
	upstream := "../../../shared/aws-models"
	err := filepath.WalkDir("../../models", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		got, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(got, []byte(`"documentation"`)) || bytes.Contains(got, []byte(`smithy.api#documentation`)) {
			t.Errorf("%s still holds documentation", path)
		}
		rel, _ := filepath.Rel("../../models", path)
		raw, err := os.ReadFile(filepath.Join(upstream, rel))
		if err != nil {
			return nil // upstream copy not available: nothing to compare
		}
		want, err := strip(raw)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from a fresh strip of %s: run go generate ./internal/api", path, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
