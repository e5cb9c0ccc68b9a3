package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad_Defaults(t *testing.T) {
	cfg, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:4599" || cfg.DataDir != "./cairn-data" || cfg.Auth != AuthOpen || cfg.DefaultAccount != "123456789012" {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
}

func TestLoad_Precedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cairn.yaml")
	if err := os.WriteFile(file, []byte("listen: 127.0.0.1:1111\ndata-dir: /from-file\nlog-level: warn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load([]string{"--config", file, "--listen", "127.0.0.1:3333"},
		env(map[string]string{"CAIRN_LISTEN": "127.0.0.1:2222", "CAIRN_DATA_DIR": "/from-env"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:3333" {
		t.Errorf("flag should win: %s", cfg.Listen)
	}
	if cfg.DataDir != "/from-env" {
		t.Errorf("env should beat file: %s", cfg.DataDir)
	}
	if cfg.LogLevel != "warn" {
		t.Errorf("file should beat default: %s", cfg.LogLevel)
	}
}

func TestLoad_ConfigFromEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cairn.yaml")
	if err := os.WriteFile(file, []byte("default-account: \"111122223333\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(nil, env(map[string]string{"CAIRN_CONFIG": file}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DefaultAccount != "111122223333" {
		t.Fatalf("got %s", cfg.DefaultAccount)
	}
}

func TestLoad_Errors(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "unknown.yaml")
	os.WriteFile(unknown, []byte("listn: x\n"), 0o600)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"open on remote", []string{"--listen", "0.0.0.0:4599", "--auth", "open"}, "refusing --auth open"},
		{"bad auth", []string{"--auth", "maybe"}, "must be open or sigv4"},
		{"bad account", []string{"--default-account", "12"}, "12 digits"},
		{"bad level", []string{"--log-level", "loud"}, "log-level"},
		{"sigv4 without credentials", []string{"--auth", "sigv4"}, "credentials"},
		{"unknown file key", []string{"--config", unknown}, "unknown setting"},
		{"bad listen", []string{"--listen", "nope"}, "--listen"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.args, env(nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want error containing %q", err, tc.want)
			}
		})
	}
}

func TestLoad_RemoteDefaultsToSigV4(t *testing.T) {
	cfg, err := Load([]string{"--listen", "0.0.0.0:4599", "--credentials", "/x"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Auth != AuthSigV4 {
		t.Fatalf("got %s", cfg.Auth)
	}
	cfg, err = Load([]string{"--listen", "0.0.0.0:4599", "--auth", "open", "--allow-open-remote"}, env(nil))
	if err != nil || cfg.Auth != AuthOpen {
		t.Fatalf("forced open: %v %s", err, cfg.Auth)
	}
}

// TestLoad_SyncReadEvents: off by default; on from a flag, the environment
// or the file.
func TestLoad_SyncReadEvents(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cairn.yaml")
	if err := os.WriteFile(file, []byte("sync-read-events: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"default", nil, nil, false},
		{"flag", []string{"--sync-read-events"}, nil, true},
		{"env", nil, map[string]string{"CAIRN_SYNC_READ_EVENTS": "true"}, true},
		{"file", []string{"--config", file}, nil, true},
		{"flag over file", []string{"--config", file, "--sync-read-events=false"}, nil, false},
	} {
		cfg, err := Load(c.args, env(c.env))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if cfg.SyncReadEvents != c.want {
			t.Errorf("%s: SyncReadEvents %v, want %v", c.name, cfg.SyncReadEvents, c.want)
		}
	}
}
