// Command modelstrip copies the AWS API models Cairn is built from into the
// repository's models/ directory, removing every documentation string so that
// only facts (shapes, constraints, errors, bindings) are kept.
//
// Usage: go run ./tools/modelstrip -from ../shared/aws-models -to models
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// droppedKeys are JSON object keys holding prose in botocore and Smithy models.
var droppedKeys = map[string]bool{
	"documentation":              true,
	"documentationUrl":           true,
	"smithy.api#documentation":   true,
	"smithy.api#examples":        true,
	"smithy.rules#endpointTests": true,
	"smithy.test#smokeTests":     true,
}

func main() {
	from := flag.String("from", "../shared/aws-models", "directory holding the upstream models")
	to := flag.String("to", "models", "directory to write the stripped copy into")
	flag.Parse()
	if err := run(*from, *to); err != nil {
		fmt.Fprintln(os.Stderr, "modelstrip:", err)
		os.Exit(1)
	}
}

func run(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		stripped, err := strip(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		dest := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dest, stripped, 0o644)
	})
}

func strip(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	doc = removeProse(doc)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func removeProse(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if droppedKeys[k] {
				delete(t, k)
				continue
			}
			t[k] = removeProse(child)
		}
	case []any:
		for i, child := range t {
			t[i] = removeProse(child)
		}
	}
	return v
}
