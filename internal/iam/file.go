package iam

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// File is the credentials file. Its YAML form is documented in
// docs/credentials.md.
type File struct {
	Accounts []Account `yaml:"accounts"`
}

// Account is one 12-digit AWS-style account and the principals in it.
type Account struct {
	ID             string      `yaml:"id"`
	Alias          string      `yaml:"alias"`
	RootAccessKeys []AccessKey `yaml:"rootAccessKeys"`
	Users          []User      `yaml:"users"`
	Roles          []Role      `yaml:"roles"`
}

// User is an IAM user.
type User struct {
	Name string `yaml:"name"`
	// UserID is the AIDA... unique ID; derived from the user's ARN when empty.
	UserID     string      `yaml:"userId"`
	AccessKeys []AccessKey `yaml:"accessKeys"`
}

// Role is an IAM role; callers act as it through its sessions.
type Role struct {
	Name string `yaml:"name"`
	// RoleID is the AROA... unique ID; derived from the role's ARN when empty.
	RoleID   string        `yaml:"roleId"`
	Sessions []RoleSession `yaml:"sessions"`
}

// RoleSession is one assumed-role session with its temporary access keys.
type RoleSession struct {
	Name       string      `yaml:"name"`
	AccessKeys []AccessKey `yaml:"accessKeys"`
}

// AccessKey is an access key ID and its secret.
type AccessKey struct {
	AccessKeyID     string `yaml:"accessKeyId"`
	SecretAccessKey string `yaml:"secretAccessKey"`
}

// ValidationError lists everything wrong with a credentials file.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid credentials file: " + e.Problems[0]
	}
	return fmt.Sprintf("invalid credentials file (%d problems):\n  - %s", len(e.Problems), strings.Join(e.Problems, "\n  - "))
}

// parseFile decodes YAML strictly: unknown fields are errors, so typos are
// reported instead of silently ignored. Empty input is an empty File.
func parseFile(data []byte) (File, error) {
	var f File
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	decoder.KnownFields(true)
	if err := decoder.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return File{}, fmt.Errorf("invalid credentials file: %w", err)
	}
	return f, nil
}

var (
	accountIDPattern   = regexp.MustCompile(`^[0-9]{12}$`)
	aliasPattern       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
	principalPattern   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	sessionPattern     = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	accessKeyIDPattern = regexp.MustCompile(`^\w{1,128}$`)
	userIDPattern      = regexp.MustCompile(`^AIDA[A-Z0-9]{12,124}$`)
	roleIDPattern      = regexp.MustCompile(`^AROA[A-Z0-9]{12,124}$`)
)

// Validate reports every problem in f, each saying where it is and what to
// change, as a *ValidationError.
func (f File) Validate() error {
	v := validator{accessKeys: map[string]string{}, uniqueIDs: map[string]string{}, aliases: map[string]string{}}
	accountIDs := map[string]int{}
	for i, account := range f.Accounts {
		where := fmt.Sprintf("accounts[%d]", i)
		switch {
		case !accountIDPattern.MatchString(account.ID):
			v.problem("%s: id %q must be exactly 12 digits", where, account.ID)
		default:
			if first, dup := accountIDs[account.ID]; dup {
				v.problem("%s: account %s is already defined at accounts[%d]; merge the two entries", where, account.ID, first)
			}
			accountIDs[account.ID] = i
			where = "account " + account.ID
		}
		v.account(where, account)
	}
	if len(v.problems) > 0 {
		return &ValidationError{Problems: v.problems}
	}
	return nil
}

type validator struct {
	problems   []string
	accessKeys map[string]string // access key ID -> where it was first seen
	uniqueIDs  map[string]string // AIDA/AROA ID -> where it was first seen
	aliases    map[string]string
}

func (v *validator) problem(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

func (v *validator) account(where string, account Account) {
	if account.Alias != "" {
		if !aliasPattern.MatchString(account.Alias) {
			v.problem("%s: alias %q must be 3 to 63 lowercase letters, digits or hyphens, not starting or ending with a hyphen", where, account.Alias)
		} else if first, dup := v.aliases[account.Alias]; dup {
			v.problem("%s: alias %q is already used by %s; aliases must be unique", where, account.Alias, first)
		} else {
			v.aliases[account.Alias] = where
		}
	}
	v.keys(where, "rootAccessKeys", account.RootAccessKeys)

	userNames := map[string]bool{}
	for i, user := range account.Users {
		userWhere := fmt.Sprintf("%s, users[%d]", where, i)
		if !principalPattern.MatchString(user.Name) {
			v.problem("%s: name %q must be 1 to 64 letters, digits or any of _+=,.@-", userWhere, user.Name)
		} else {
			userWhere = fmt.Sprintf("%s, user %q", where, user.Name)
			if userNames[strings.ToLower(user.Name)] {
				v.problem("%s: another user has this name (names are case-insensitive); rename one", userWhere)
			}
			userNames[strings.ToLower(user.Name)] = true
		}
		if user.UserID != "" {
			if !userIDPattern.MatchString(user.UserID) {
				v.problem("%s: userId %q must be AIDA followed by 12 or more uppercase letters or digits, or be left out to derive one", userWhere, user.UserID)
			}
			v.uniqueID(userWhere, "userId", user.UserID)
		}
		v.keys(userWhere, "accessKeys", user.AccessKeys)
	}

	roleNames := map[string]bool{}
	for i, role := range account.Roles {
		roleWhere := fmt.Sprintf("%s, roles[%d]", where, i)
		if !principalPattern.MatchString(role.Name) {
			v.problem("%s: name %q must be 1 to 64 letters, digits or any of _+=,.@-", roleWhere, role.Name)
		} else {
			roleWhere = fmt.Sprintf("%s, role %q", where, role.Name)
			if roleNames[strings.ToLower(role.Name)] {
				v.problem("%s: another role has this name (names are case-insensitive); rename one", roleWhere)
			}
			roleNames[strings.ToLower(role.Name)] = true
		}
		if role.RoleID != "" {
			if !roleIDPattern.MatchString(role.RoleID) {
				v.problem("%s: roleId %q must be AROA followed by 12 or more uppercase letters or digits, or be left out to derive one", roleWhere, role.RoleID)
			}
			v.uniqueID(roleWhere, "roleId", role.RoleID)
		}
		sessionNames := map[string]bool{}
		for j, session := range role.Sessions {
			sessionWhere := fmt.Sprintf("%s, sessions[%d]", roleWhere, j)
			if !sessionPattern.MatchString(session.Name) {
				v.problem("%s: name %q must be 2 to 64 letters, digits or any of _+=,.@-", sessionWhere, session.Name)
			} else {
				sessionWhere = fmt.Sprintf("%s, session %q", roleWhere, session.Name)
				if sessionNames[session.Name] {
					v.problem("%s: the role already has a session with this name; rename one", sessionWhere)
				}
				sessionNames[session.Name] = true
			}
			v.keys(sessionWhere, "accessKeys", session.AccessKeys)
		}
	}
}

func (v *validator) uniqueID(where, field, id string) {
	if first, dup := v.uniqueIDs[id]; dup {
		v.problem("%s: %s %s is already used by %s; unique IDs must differ", where, field, id, first)
		return
	}
	v.uniqueIDs[id] = where
}

func (v *validator) keys(where, field string, keys []AccessKey) {
	for i, key := range keys {
		keyWhere := fmt.Sprintf("%s, %s[%d]", where, field, i)
		switch {
		case !accessKeyIDPattern.MatchString(key.AccessKeyID):
			v.problem("%s: accessKeyId %q must be 1 to 128 letters, digits or underscores", keyWhere, key.AccessKeyID)
		default:
			if first, dup := v.accessKeys[key.AccessKeyID]; dup {
				v.problem("%s: accessKeyId %s is already used by %s; every access key must be unique", keyWhere, key.AccessKeyID, first)
			} else {
				v.accessKeys[key.AccessKeyID] = keyWhere
			}
		}
		switch secret := key.SecretAccessKey; {
		case secret == "":
			v.problem("%s: secretAccessKey is empty; set the secret clients sign with", keyWhere)
		case strings.TrimSpace(secret) != secret:
			v.problem("%s: secretAccessKey starts or ends with whitespace; remove it (or quote the value if the YAML folded it)", keyWhere)
		case strings.ContainsFunc(secret, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			v.problem("%s: secretAccessKey contains control characters", keyWhere)
		}
	}
}
