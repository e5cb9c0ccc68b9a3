package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// allowMissingEnv, set to 1, turns a missing client into a skip.
const allowMissingEnv = "CAIRN_E2E_ALLOW_MISSING_CLIENTS"

// clientTimeout bounds one client process.
const clientTimeout = 90 * time.Second

// A clientCheck finds one client program once per test binary.
type clientCheck struct {
	once    sync.Once
	path    string
	problem string
	find    func() (path, problem string)
}

func (c *clientCheck) require(t *testing.T) string {
	t.Helper()
	c.once.Do(func() { c.path, c.problem = c.find() })
	if c.problem == "" {
		return c.path
	}
	if os.Getenv(allowMissingEnv) == "1" {
		t.Skipf("skipping: %s (%s=1)", c.problem, allowMissingEnv)
	}
	t.Fatalf("%s. The end-to-end suite needs it; set %s=1 to skip these tests instead", c.problem, allowMissingEnv)
	return ""
}

var (
	awsCLI = &clientCheck{find: func() (string, string) {
		path, err := exec.LookPath("aws")
		if err != nil {
			return "", "the aws CLI is not on PATH (install it, e.g. pip install awscli)"
		}
		return path, ""
	}}
	python = &clientCheck{find: func() (string, string) {
		path, err := exec.LookPath("python3")
		if err != nil {
			return "", "python3 is not on PATH (install python3 and boto3)"
		}
		out, err := exec.Command(path, "-c", "import boto3, botocore; print(boto3.__version__)").CombinedOutput()
		if err != nil {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			return "", fmt.Sprintf("python3 (%s) cannot import boto3 (install it, e.g. pip install boto3): %s",
				path, lines[len(lines)-1])
		}
		return path, ""
	}}
	node = &clientCheck{find: func() (string, string) {
		path, err := exec.LookPath("node")
		if err != nil {
			return "", "node is not on PATH (install Node.js and npm, then run scripts/install-test-deps)"
		}
		pkg := filepath.Join(e2eDir, "js", "node_modules", "aws-sdk", "package.json")
		raw, err := os.ReadFile(pkg)
		if err != nil {
			return "", fmt.Sprintf("the npm module aws-sdk is not installed in test/e2e/js (run scripts/install-test-deps): %v", err)
		}
		var meta struct{ Version string }
		if err := json.Unmarshal(raw, &meta); err != nil || meta.Version != "2.1693.0" {
			return "", fmt.Sprintf("test/e2e/js/node_modules has aws-sdk %q, want 2.1693.0 (run npm ci in test/e2e/js)", meta.Version)
		}
		return path, ""
	}}
)

// session is a client identity pointed at one server: an access key, its
// secret and a region. Every client process it runs gets a fresh HOME.
type session struct {
	t         *testing.T
	srv       *server
	AccessKey string
	Secret    string
	Region    string
	extraEnv  []string
}

// as returns a session signing with accessKey and secret in region.
func (s *server) as(t *testing.T, accessKey, secret, region string) session {
	return session{t: t, srv: s, AccessKey: accessKey, Secret: secret, Region: region}
}

// open is a session for the open-mode account named by accountKey in
// us-east-1.
func (s *server) open(t *testing.T, accountKey string) session {
	return s.as(t, accountKey, "not-checked-in-open-mode", "us-east-1")
}

// in returns the same identity in another region.
func (c session) in(region string) session {
	c.Region = region
	return c
}

// withEnv returns the session with more environment variables (NAME=value).
func (c session) withEnv(kv ...string) session {
	c.extraEnv = append(append([]string(nil), c.extraEnv...), kv...)
	return c
}

// env is the client environment: the test's own, without anything that
// configures AWS clients, plus this session's settings and an empty HOME.
func (c session) env() []string {
	home := c.t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "AWS_"), strings.HasPrefix(name, "BOTO_"),
			strings.HasPrefix(name, "CAIRN_"), name == "HOME":
			continue
		}
		env = append(env, kv)
	}
	return append(append(env,
		"HOME="+home,
		"AWS_CONFIG_FILE="+filepath.Join(home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, ".aws", "credentials"),
		"AWS_ACCESS_KEY_ID="+c.AccessKey,
		"AWS_SECRET_ACCESS_KEY="+c.Secret,
		"AWS_DEFAULT_REGION="+c.Region,
		"AWS_REGION="+c.Region,
		"AWS_ENDPOINT_URL="+c.srv.URL,
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1",
		"PYTHONDONTWRITEBYTECODE=1",
		"CAIRN_URL="+c.srv.URL,
	), c.extraEnv...)
}

// result is what a client process did.
type result struct {
	Cmd    string
	Stdout string
	Stderr string
	Code   int
}

func (r result) String() string {
	return fmt.Sprintf("$ %s\nexit code %d\n--- stdout:\n%s\n--- stderr:\n%s", r.Cmd, r.Code, r.Stdout, r.Stderr)
}

// ok fails the test unless the process exited 0.
func (r result) ok(t *testing.T) result {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("client failed:\n%s", r)
	}
	return r
}

// decode requires exit code 0 and decodes stdout as JSON into v.
func (r result) decode(t *testing.T, v any) {
	t.Helper()
	r.ok(t)
	// Start from the zero value: unmarshalling into a used map would keep
	// keys from an earlier document.
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv.Elem().Set(reflect.Zero(rv.Elem().Type()))
	}
	if err := json.Unmarshal([]byte(r.Stdout), v); err != nil {
		t.Fatalf("client output is not the expected JSON: %v\n%s", err, r)
	}
}

// run runs program with args in dir under this session's environment.
func (c session) run(program, dir string, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Env = c.env()
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	r := result{
		Cmd:    filepath.Base(program) + " " + strings.Join(args, " "),
		Stdout: stdout.String(),
		Stderr: stderr.String(),
	}
	if ctx.Err() != nil {
		c.t.Fatalf("client did not finish within %s:\n%s", clientTimeout, r)
	}
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			c.t.Fatalf("running %s: %v", r.Cmd, err)
		}
	}
	r.Code = cmd.ProcessState.ExitCode()
	return r
}

// aws runs the aws CLI.
func (c session) aws(args ...string) result {
	c.t.Helper()
	return c.run(awsCLI.require(c.t), c.t.TempDir(), args...)
}

// awsJSON runs the aws CLI, requires success and decodes its JSON output.
func (c session) awsJSON(v any, args ...string) {
	c.t.Helper()
	c.aws(args...).decode(c.t, v)
}

// awsFails runs the aws CLI and requires it to fail the way the CLI reports
// a service error: exit code 255 and the error code in parentheses.
func (c session) awsFails(code string, args ...string) result {
	c.t.Helper()
	r := c.aws(args...)
	if r.Code != 255 || !strings.Contains(r.Stderr, "("+code+")") {
		c.t.Errorf("want exit code 255 and %q on stderr:\n%s", "("+code+")", r)
	}
	return r
}

// python runs py/<script> with python3.
func (c session) python(script string, args ...string) result {
	c.t.Helper()
	py := python.require(c.t)
	return c.run(py, c.t.TempDir(), append([]string{filepath.Join(e2eDir, "py", script)}, args...)...)
}

// pythonJSON runs py/<script>, requires success and decodes its JSON output.
func (c session) pythonJSON(v any, script string, args ...string) {
	c.t.Helper()
	c.python(script, args...).decode(c.t, v)
}

// node runs js/<script> with node.
func (c session) node(script string, args ...string) result {
	c.t.Helper()
	n := node.require(c.t)
	return c.run(n, filepath.Join(e2eDir, "js"), append([]string{filepath.Join(e2eDir, "js", script)}, args...)...)
}
