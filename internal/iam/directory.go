package iam

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"os"

	"github.com/cairnhq/cairn/internal/identity"
)

// Directory maps access keys to principals. It is immutable once built and
// safe for concurrent use; to reload, build a new one and swap it in.
type Directory struct {
	defaultAccount string
	credentials    map[string]credential // by access key ID
	aliases        map[string]string     // account ID -> alias
}

type credential struct {
	principal identity.Principal
	secret    string
}

// NewDirectory validates f and indexes its access keys.
func NewDirectory(f File) (*Directory, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	d := &Directory{
		defaultAccount: identity.DefaultAccountID,
		credentials:    map[string]credential{},
		aliases:        map[string]string{},
	}
	for _, account := range f.Accounts {
		if account.Alias != "" {
			d.aliases[account.ID] = account.Alias
		}
		d.add(rootPrincipal(account.ID), account.RootAccessKeys)
		for _, user := range account.Users {
			d.add(userPrincipal(account.ID, user), user.AccessKeys)
		}
		for _, role := range account.Roles {
			for _, session := range role.Sessions {
				d.add(sessionPrincipal(account.ID, role, session.Name), session.AccessKeys)
			}
		}
	}
	return d, nil
}

// ParseDirectory builds a Directory from the YAML of a credentials file.
// Empty input gives a Directory with no keys.
func ParseDirectory(data []byte) (*Directory, error) {
	f, err := parseFile(data)
	if err != nil {
		return nil, err
	}
	return NewDirectory(f)
}

// LoadDirectory reads the credentials file at path. An empty path gives a
// Directory with no keys. A missing file is an error that matches
// fs.ErrNotExist, so open mode can choose to carry on without one.
func LoadDirectory(path string) (*Directory, error) {
	if path == "" {
		return NewDirectory(File{})
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d, err := ParseDirectory(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

func (d *Directory) add(p identity.Principal, keys []AccessKey) {
	for _, key := range keys {
		p.AccessKeyID = key.AccessKeyID
		d.credentials[key.AccessKeyID] = credential{principal: p, secret: key.SecretAccessKey}
	}
}

// Lookup returns the principal owning accessKeyID and the secret to verify
// its signatures with (sigv4 mode).
func (d *Directory) Lookup(accessKeyID string) (identity.Principal, string, bool) {
	c, ok := d.credentials[accessKeyID]
	return c.principal, c.secret, ok
}

// Resolve gives the principal for accessKeyID in open mode, where every key
// is accepted: a known key is its principal, a 12-digit key is the root of
// that account, and any other key is the root of the default account.
func (d *Directory) Resolve(accessKeyID string) identity.Principal {
	if c, ok := d.credentials[accessKeyID]; ok {
		return c.principal
	}
	account := d.defaultAccount
	if accountIDPattern.MatchString(accessKeyID) {
		account = accessKeyID
	}
	p := rootPrincipal(account)
	p.AccessKeyID = accessKeyID
	return p
}

// DefaultAccount is the account open mode gives to unknown access keys.
func (d *Directory) DefaultAccount() string {
	return d.defaultAccount
}

// WithDefaultAccount returns a copy of d whose default account is accountID
// rather than identity.DefaultAccountID (cairn serve's --default-account).
func (d *Directory) WithDefaultAccount(accountID string) (*Directory, error) {
	if !accountIDPattern.MatchString(accountID) {
		return nil, fmt.Errorf("default account %q must be exactly 12 digits", accountID)
	}
	copied := *d
	copied.defaultAccount = accountID
	return &copied, nil
}

// AccountAlias is the alias the file gives accountID, or "".
func (d *Directory) AccountAlias(accountID string) string {
	return d.aliases[accountID]
}

// AccessKeyCount is the number of access keys the directory knows.
func (d *Directory) AccessKeyCount() int {
	return len(d.credentials)
}

func rootPrincipal(accountID string) identity.Principal {
	return identity.Principal{
		Type:        identity.PrincipalRoot,
		AccountID:   accountID,
		PrincipalID: accountID,
		ARN:         "arn:aws:iam::" + accountID + ":root",
	}
}

func userPrincipal(accountID string, user User) identity.Principal {
	arn := "arn:aws:iam::" + accountID + ":user/" + user.Name
	id := user.UserID
	if id == "" {
		id = derivedUniqueID("AIDA", arn)
	}
	return identity.Principal{
		Type:        identity.PrincipalIAMUser,
		AccountID:   accountID,
		PrincipalID: id,
		ARN:         arn,
		UserName:    user.Name,
	}
}

func sessionPrincipal(accountID string, role Role, sessionName string) identity.Principal {
	roleARN := "arn:aws:iam::" + accountID + ":role/" + role.Name
	roleID := role.RoleID
	if roleID == "" {
		roleID = derivedUniqueID("AROA", roleARN)
	}
	return identity.Principal{
		Type:        identity.PrincipalAssumedRole,
		AccountID:   accountID,
		PrincipalID: roleID + ":" + sessionName,
		ARN:         "arn:aws:sts::" + accountID + ":assumed-role/" + role.Name + "/" + sessionName,
		RoleName:    role.Name,
		RoleARN:     roleARN,
		SessionName: sessionName,
	}
}

// derivedUniqueID makes a stable 21-character IAM unique ID (prefix plus 17
// characters of A-Z and 2-7) from a hash of the principal's ARN.
func derivedUniqueID(prefix, arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return prefix + base32.StdEncoding.EncodeToString(sum[:])[:17]
}
