package identity

import (
	"context"
	"time"
)

// DefaultAccountID is the account used when nothing selects another one.
const DefaultAccountID = "123456789012"

// PrincipalType is the userIdentity.type of a CloudTrail event record.
type PrincipalType string

// Principal types Cairn's credentials file can describe.
const (
	PrincipalRoot        PrincipalType = "Root"
	PrincipalIAMUser     PrincipalType = "IAMUser"
	PrincipalAssumedRole PrincipalType = "AssumedRole"
)

// Principal is an authenticated IAM-style identity.
type Principal struct {
	Type        PrincipalType
	AccountID   string
	PrincipalID string // AIDA... for users, AROA...:session for roles, the account ID for root
	ARN         string
	UserName    string // IAM user name; empty for roles and root
	RoleName    string // for AssumedRole: the role the session was issued from
	RoleARN     string // for AssumedRole: arn:aws:iam::<account>:role/<name>
	SessionName string // for AssumedRole: the role session name
	AccessKeyID string
}

// DisplayName is the name LookupEvents reports as Username: the IAM user
// name, the role session name, or "root".
func (p Principal) DisplayName() string {
	switch p.Type {
	case PrincipalIAMUser:
		return p.UserName
	case PrincipalAssumedRole:
		return p.SessionName
	case PrincipalRoot:
		return "root"
	}
	return p.UserName
}

// TLSDetails describes the TLS connection a request arrived on.
type TLSDetails struct {
	TLSVersion               string
	CipherSuite              string
	ClientProvidedHostHeader string
}

// Caller is everything known about one request's origin.
type Caller struct {
	Principal Principal
	Region    string // from the SigV4 credential scope
	Service   string // signing name from the credential scope (cloudtrail, cloudtrail-data, s3)
	RequestID string
	SourceIP  string
	UserAgent string
	Received  time.Time
	TLS       *TLSDetails // nil for plain HTTP
}

type callerKey struct{}

// WithCaller returns a context carrying c.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// FromContext returns the Caller stored in ctx, or nil.
func FromContext(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}
