package iam

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/internal/identity"
)

const sampleFile = `
accounts:
  - id: "111122223333"
    alias: sandbox
    rootAccessKeys:
      - accessKeyId: AKIAROOT0000000001
        secretAccessKey: root-secret
    users:
      - name: alice
        accessKeys:
          - accessKeyId: AKIAALICE000000001
            secretAccessKey: alice-secret
          - accessKeyId: AKIAALICE000000002
            secretAccessKey: alice-secret-2
      - name: bob
        userId: AIDABOBEXPLICIT000001
        accessKeys:
          - accessKeyId: AKIABOB00000000001
            secretAccessKey: bob-secret
    roles:
      - name: Deployer
        sessions:
          - name: ci-run
            accessKeys:
              - accessKeyId: ASIACI000000000001
                secretAccessKey: ci-secret
          - name: alice@laptop
            accessKeys:
              - accessKeyId: ASIALAPTOP00000001
                secretAccessKey: laptop-secret
      - name: Auditor
        roleId: AROAAUDITOREXPLICIT01
        sessions:
          - name: nightly
            accessKeys:
              - accessKeyId: ASIANIGHTLY0000001
                secretAccessKey: nightly-secret
  - id: 012345678901
    users:
      - name: alice
        accessKeys:
          - accessKeyId: AKIAOTHERALICE0001
            secretAccessKey: other-secret
`

func mustParse(t *testing.T, yaml string) *Directory {
	t.Helper()
	d, err := ParseDirectory([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLookup(t *testing.T) {
	d := mustParse(t, sampleFile)
	alice, _, _ := d.Lookup("AKIAALICE000000001")
	deployer, _, _ := d.Lookup("ASIACI000000000001")
	deployerRoleID, _, _ := strings.Cut(deployer.PrincipalID, ":")

	tests := []struct {
		key        string
		wantSecret string
		want       identity.Principal
	}{
		{"AKIAROOT0000000001", "root-secret", identity.Principal{
			Type: identity.PrincipalRoot, AccountID: "111122223333", PrincipalID: "111122223333",
			ARN: "arn:aws:iam::111122223333:root",
		}},
		{"AKIAALICE000000001", "alice-secret", identity.Principal{
			Type: identity.PrincipalIAMUser, AccountID: "111122223333", PrincipalID: alice.PrincipalID,
			ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice",
		}},
		{"AKIAALICE000000002", "alice-secret-2", identity.Principal{
			Type: identity.PrincipalIAMUser, AccountID: "111122223333", PrincipalID: alice.PrincipalID,
			ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice",
		}},
		{"AKIABOB00000000001", "bob-secret", identity.Principal{
			Type: identity.PrincipalIAMUser, AccountID: "111122223333", PrincipalID: "AIDABOBEXPLICIT000001",
			ARN: "arn:aws:iam::111122223333:user/bob", UserName: "bob",
		}},
		{"ASIACI000000000001", "ci-secret", identity.Principal{
			Type: identity.PrincipalAssumedRole, AccountID: "111122223333", PrincipalID: deployerRoleID + ":ci-run",
			ARN: "arn:aws:sts::111122223333:assumed-role/Deployer/ci-run", RoleName: "Deployer",
			RoleARN: "arn:aws:iam::111122223333:role/Deployer", SessionName: "ci-run",
		}},
		{"ASIALAPTOP00000001", "laptop-secret", identity.Principal{
			Type: identity.PrincipalAssumedRole, AccountID: "111122223333", PrincipalID: deployerRoleID + ":alice@laptop",
			ARN: "arn:aws:sts::111122223333:assumed-role/Deployer/alice@laptop", RoleName: "Deployer",
			RoleARN: "arn:aws:iam::111122223333:role/Deployer", SessionName: "alice@laptop",
		}},
		{"ASIANIGHTLY0000001", "nightly-secret", identity.Principal{
			Type: identity.PrincipalAssumedRole, AccountID: "111122223333", PrincipalID: "AROAAUDITOREXPLICIT01:nightly",
			ARN: "arn:aws:sts::111122223333:assumed-role/Auditor/nightly", RoleName: "Auditor",
			RoleARN: "arn:aws:iam::111122223333:role/Auditor", SessionName: "nightly",
		}},
		{"AKIAOTHERALICE0001", "other-secret", identity.Principal{
			Type: identity.PrincipalIAMUser, AccountID: "012345678901", PrincipalID: derivedUniqueID("AIDA", "arn:aws:iam::012345678901:user/alice"),
			ARN: "arn:aws:iam::012345678901:user/alice", UserName: "alice",
		}},
	}
	for _, tc := range tests {
		got, secret, ok := d.Lookup(tc.key)
		tc.want.AccessKeyID = tc.key
		if !ok || secret != tc.wantSecret || got != tc.want {
			t.Errorf("Lookup(%s) = %+v, %q, %v\nwant %+v, %q", tc.key, got, secret, ok, tc.want, tc.wantSecret)
		}
	}
	if _, _, ok := d.Lookup("AKIAUNKNOWN0000001"); ok {
		t.Error("unknown key found")
	}
	if got := d.AccessKeyCount(); got != len(tests) {
		t.Errorf("AccessKeyCount = %d, want %d", got, len(tests))
	}
	if d.AccountAlias("111122223333") != "sandbox" || d.AccountAlias("012345678901") != "" {
		t.Error("AccountAlias")
	}
}

func TestDerivedUniqueIDs(t *testing.T) {
	d := mustParse(t, sampleFile)
	again := mustParse(t, sampleFile)
	alice, _, _ := d.Lookup("AKIAALICE000000001")
	otherAlice, _, _ := d.Lookup("AKIAOTHERALICE0001")
	session, _, _ := d.Lookup("ASIACI000000000001")
	aliceAgain, _, _ := again.Lookup("AKIAALICE000000001")

	if !regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`).MatchString(alice.PrincipalID) {
		t.Errorf("user ID %q", alice.PrincipalID)
	}
	if !regexp.MustCompile(`^AROA[A-Z2-7]{17}:ci-run$`).MatchString(session.PrincipalID) {
		t.Errorf("session principal ID %q", session.PrincipalID)
	}
	if alice.PrincipalID != aliceAgain.PrincipalID {
		t.Error("derived IDs differ between loads")
	}
	if alice.PrincipalID == otherAlice.PrincipalID {
		t.Error("users of the same name in different accounts share an ID")
	}
}

func TestResolve(t *testing.T) {
	d := mustParse(t, sampleFile)
	root := func(account, key string) identity.Principal {
		return identity.Principal{
			Type: identity.PrincipalRoot, AccountID: account, PrincipalID: account,
			ARN: "arn:aws:iam::" + account + ":root", AccessKeyID: key,
		}
	}
	known, _, _ := d.Lookup("AKIAALICE000000001")
	tests := []struct {
		key  string
		want identity.Principal
	}{
		{"AKIAALICE000000001", known},
		{"444455556666", root("444455556666", "444455556666")},
		{"111122223333", root("111122223333", "111122223333")},
		{"test", root(identity.DefaultAccountID, "test")},
		{"AKIAUNKNOWN0000001", root(identity.DefaultAccountID, "AKIAUNKNOWN0000001")},
		{"12345678901", root(identity.DefaultAccountID, "12345678901")},
		{"", root(identity.DefaultAccountID, "")},
	}
	for _, tc := range tests {
		if got := d.Resolve(tc.key); got != tc.want {
			t.Errorf("Resolve(%q) = %+v, want %+v", tc.key, got, tc.want)
		}
	}

	other, err := d.WithDefaultAccount("999988887777")
	if err != nil {
		t.Fatal(err)
	}
	if got := other.Resolve("test"); got != root("999988887777", "test") {
		t.Errorf("with default account: %+v", got)
	}
	if other.DefaultAccount() != "999988887777" || d.DefaultAccount() != identity.DefaultAccountID {
		t.Error("WithDefaultAccount changed the original")
	}
	if _, _, ok := other.Lookup("AKIAALICE000000001"); !ok {
		t.Error("copy lost its keys")
	}
	if _, err := d.WithDefaultAccount("1234"); err == nil {
		t.Error("accepted a bad default account")
	}
}

func TestEmptyDirectory(t *testing.T) {
	for name, load := range map[string]func() (*Directory, error){
		"no path":       func() (*Directory, error) { return LoadDirectory("") },
		"empty input":   func() (*Directory, error) { return ParseDirectory(nil) },
		"comments only": func() (*Directory, error) { return ParseDirectory([]byte("# nothing yet\n")) },
		"no accounts":   func() (*Directory, error) { return ParseDirectory([]byte("accounts: []\n")) },
	} {
		d, err := load()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.AccessKeyCount() != 0 || d.Resolve("x").AccountID != identity.DefaultAccountID {
			t.Errorf("%s: not an empty directory", name)
		}
		if _, _, ok := d.Lookup("x"); ok {
			t.Errorf("%s: found a key", name)
		}
	}
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadDirectory(filepath.Join(dir, "missing.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	good := filepath.Join(dir, "credentials.yaml")
	if err := os.WriteFile(good, []byte(sampleFile), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := LoadDirectory(good)
	if err != nil || d.AccessKeyCount() == 0 {
		t.Fatalf("LoadDirectory: %v", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("accounts:\n  - id: \"1\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadDirectory(bad)
	var invalid *ValidationError
	if !errors.As(err, &invalid) || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Errorf("invalid file: %v", err)
	}
}

// TestDocumentedExample keeps docs/credentials.md's example loadable.
func TestDocumentedExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/credentials.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, found := strings.Cut(string(doc), "```yaml\n")
	example, _, closed := strings.Cut(rest, "```")
	if !found || !closed {
		t.Fatal("no yaml block in docs/credentials.md")
	}
	d := mustParse(t, example)
	for key, want := range map[string]string{
		"AKIAROOTDEV000000001": "arn:aws:iam::123456789012:root",
		"AKIAALICE0000000002":  "arn:aws:iam::123456789012:user/alice",
		"ASIADEPLOYERCI00001":  "arn:aws:sts::123456789012:assumed-role/Deployer/ci-pipeline",
		"AKIAPRODAUDITOR0001":  "arn:aws:iam::210987654321:user/auditor",
	} {
		if p, _, ok := d.Lookup(key); !ok || p.ARN != want {
			t.Errorf("Lookup(%s) = %q, %v; want %q", key, p.ARN, ok, want)
		}
	}
	if alice, _, _ := d.Lookup("AKIAALICE0000000001"); alice.PrincipalID != "AIDAEXAMPLEALICE00001" {
		t.Errorf("alice's userId = %q", alice.PrincipalID)
	}
}

func TestValidationErrors(t *testing.T) {
	account := func(body string) string {
		return "accounts:\n  - id: \"111122223333\"\n" + body
	}
	user := func(name, key, secret string) string {
		return "      - name: " + name + "\n        accessKeys:\n          - accessKeyId: " + key + "\n            secretAccessKey: " + secret + "\n"
	}
	tests := []struct {
		name string
		yaml string
		want []string // substrings, one per expected problem
	}{
		{"short account ID", "accounts:\n  - id: \"12345\"\n",
			[]string{`accounts[0]: id "12345" must be exactly 12 digits`}},
		{"missing account ID", "accounts:\n  - alias: dev\n",
			[]string{`accounts[0]: id "" must be exactly 12 digits`}},
		{"account ID with letters", "accounts:\n  - id: 12345678901a\n",
			[]string{`id "12345678901a" must be exactly 12 digits`}},
		{"duplicate account", "accounts:\n  - id: \"111122223333\"\n  - id: \"111122223333\"\n",
			[]string{"accounts[1]: account 111122223333 is already defined at accounts[0]"}},
		{"bad alias", account("    alias: Dev_Team\n"),
			[]string{`account 111122223333: alias "Dev_Team" must be 3 to 63 lowercase letters`}},
		{"duplicate alias", "accounts:\n  - id: \"111122223333\"\n    alias: dev\n  - id: \"444455556666\"\n    alias: dev\n",
			[]string{`account 444455556666: alias "dev" is already used by account 111122223333`}},
		{"bad user name", account("    users:\n" + user(`"alice smith"`, "AKIA1", "s")),
			[]string{`account 111122223333, users[0]: name "alice smith" must be 1 to 64 letters`}},
		{"duplicate user name", account("    users:\n" + user("alice", "AKIA1", "s") + user("Alice", "AKIA2", "s")),
			[]string{`user "Alice": another user has this name`}},
		{"empty secret", account("    users:\n" + user("alice", "AKIA1", `""`)),
			[]string{`account 111122223333, user "alice", accessKeys[0]: secretAccessKey is empty`}},
		{"missing secret", account("    users:\n      - name: alice\n        accessKeys:\n          - accessKeyId: AKIA1\n"),
			[]string{`user "alice", accessKeys[0]: secretAccessKey is empty`}},
		{"secret with spaces", account("    users:\n" + user("alice", "AKIA1", `" s "`)),
			[]string{"secretAccessKey starts or ends with whitespace"}},
		{"bad access key ID", account("    users:\n" + user("alice", `"AKIA 1"`, "s")),
			[]string{`accessKeyId "AKIA 1" must be 1 to 128 letters, digits or underscores`}},
		{"access key shared by two users", account("    users:\n" + user("alice", "AKIA1", "s") + user("bob", "AKIA1", "t")),
			[]string{`user "bob", accessKeys[0]: accessKeyId AKIA1 is already used by account 111122223333, user "alice", accessKeys[0]`}},
		{"access key shared across accounts", "accounts:\n  - id: \"111122223333\"\n    rootAccessKeys:\n      - accessKeyId: K1\n        secretAccessKey: s\n" +
			"  - id: \"444455556666\"\n    rootAccessKeys:\n      - accessKeyId: K1\n        secretAccessKey: s\n",
			[]string{"account 444455556666, rootAccessKeys[0]: accessKeyId K1 is already used by account 111122223333, rootAccessKeys[0]"}},
		{"bad user ID", account("    users:\n      - name: alice\n        userId: AKIAWRONGPREFIX00001\n"),
			[]string{`userId "AKIAWRONGPREFIX00001" must be AIDA followed by`}},
		{"duplicate user ID", account("    users:\n      - name: a\n        userId: AIDASAMEID0000000001\n      - name: b\n        userId: AIDASAMEID0000000001\n"),
			[]string{`user "b": userId AIDASAMEID0000000001 is already used by account 111122223333, user "a"`}},
		{"bad role name", account("    roles:\n      - name: \"\"\n"),
			[]string{`roles[0]: name "" must be 1 to 64 letters`}},
		{"bad role ID", account("    roles:\n      - name: R\n        roleId: aroa123\n"),
			[]string{`role "R": roleId "aroa123" must be AROA followed by`}},
		{"duplicate role", account("    roles:\n      - name: R\n      - name: r\n"),
			[]string{`role "r": another role has this name`}},
		{"session name too short", account("    roles:\n      - name: R\n        sessions:\n          - name: x\n"),
			[]string{`role "R", sessions[0]: name "x" must be 2 to 64 letters`}},
		{"duplicate session", account("    roles:\n      - name: R\n        sessions:\n          - name: run\n          - name: run\n"),
			[]string{`role "R", session "run": the role already has a session with this name`}},
		{"every problem reported", "accounts:\n  - id: \"1\"\n    users:\n" + user("ok", "K1", `""`) + "  - id: \"2\"\n",
			[]string{`accounts[0]: id "1"`, `accounts[0], user "ok", accessKeys[0]: secretAccessKey is empty`, `accounts[1]: id "2"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDirectory([]byte(tc.yaml))
			var invalid *ValidationError
			if !errors.As(err, &invalid) {
				t.Fatalf("got %v, want a ValidationError", err)
			}
			if len(invalid.Problems) != len(tc.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(invalid.Problems), len(tc.want), err)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not mention %q:\n%v", want, err)
				}
			}
		})
	}
}

func TestYAMLErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"misspelt field", "accounts:\n  - id: \"111122223333\"\n    rootAccessKeys:\n      - accessKeyId: K\n        secretKey: s\n",
			`line 5: field secretKey not found`},
		{"unknown top-level field", "defaultAccount: \"111122223333\"\n", "field defaultAccount not found"},
		{"wrong shape", "accounts: yes\n", "line 1: cannot unmarshal"},
		{"not YAML", "accounts: [\n", "invalid credentials file: yaml:"},
	}
	for _, tc := range tests {
		_, err := ParseDirectory([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
}

func TestNewDirectoryFromStruct(t *testing.T) {
	d, err := NewDirectory(File{Accounts: []Account{{
		ID:    "111122223333",
		Users: []User{{Name: "ci", AccessKeys: []AccessKey{{AccessKeyID: "AKIACI", SecretAccessKey: "s"}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if p, secret, ok := d.Lookup("AKIACI"); !ok || secret != "s" || p.ARN != "arn:aws:iam::111122223333:user/ci" {
		t.Errorf("Lookup = %+v %q %v", p, secret, ok)
	}
	if _, err := NewDirectory(File{Accounts: []Account{{ID: "x"}}}); err == nil {
		t.Error("invalid File accepted")
	}
}
