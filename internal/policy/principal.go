package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cairnhq/cairn/internal/events"
)

type principalKind int

const (
	accountPrincipal principalKind = iota // an account ID or arn:...:iam::<account>:root
	userPrincipal                         // arn:...:iam::<account>:user/<path/>name
	rolePrincipal                         // arn:...:iam::<account>:role/<path/>name
	sessionPrincipal                      // arn:...:sts::<account>:assumed-role/<role>/<session> or federated-user/<name>
	servicePrincipal                      // cloudtrail.amazonaws.com
)

type principal struct {
	kind    principalKind
	account string
	arn     string // users, roles and sessions
	// rolesSessionPrefix is what the ARNs of the role's sessions start
	// with: arn:<partition>:sts::<account>:assumed-role/<role name>/.
	rolesSessionPrefix string
	service            string
}

func (p principal) matches(r Request) bool {
	if r.PrincipalService != "" {
		return p.kind == servicePrincipal && p.service == r.PrincipalService
	}
	switch p.kind {
	case accountPrincipal:
		return p.account == requestAccount(r)
	case userPrincipal, sessionPrincipal:
		return p.arn == r.PrincipalARN
	case rolePrincipal:
		if p.arn == r.PrincipalARN {
			return true
		}
		session, isSession := strings.CutPrefix(r.PrincipalARN, p.rolesSessionPrefix)
		return isSession && session != "" && !strings.Contains(session, "/")
	}
	return false
}

// requestAccount is the caller's account: PrincipalAccount, or the account
// field of PrincipalARN.
func requestAccount(r Request) string {
	if r.PrincipalAccount != "" {
		return r.PrincipalAccount
	}
	if parts := strings.SplitN(r.PrincipalARN, ":", 6); len(parts) == 6 && parts[0] == "arn" {
		return parts[4]
	}
	return ""
}

func (p *parser) parsePrincipals(raw json.RawMessage) ([]principal, error) {
	if s, ok := jsonString(raw); ok {
		if s == "*" {
			return nil, p.publicPrincipalError(`Principal "*"`)
		}
		return nil, fmt.Errorf("Principal must be an object, not the string %q. Use %s.", s, p.principalHint())
	}
	members, isObject, duplicate := objectMembers(raw)
	if !isObject {
		return nil, fmt.Errorf("Principal must be an object, not %s. Use %s.", describeJSON(raw), p.principalHint())
	}
	if duplicate != "" {
		return nil, fmt.Errorf("Principal has more than one %q entry.", duplicate)
	}
	if len(members) == 0 {
		return nil, fmt.Errorf("Principal is empty. Name at least one principal: %s.", p.principalHint())
	}

	var principals []principal
	var hasAWS, hasService bool
	for _, m := range members {
		element := fmt.Sprintf("Principal %q", m.name)
		switch m.name {
		case "AWS":
			hasAWS = true
			values, err := stringList(m.value, element)
			if err != nil {
				return nil, err
			}
			for _, v := range values {
				pr, err := p.parseAWSPrincipal(v)
				if err != nil {
					return nil, err
				}
				principals = append(principals, pr)
			}
		case "Service":
			hasService = true
			values, err := stringList(m.value, element)
			if err != nil {
				return nil, err
			}
			for _, v := range values {
				pr, err := p.parseServicePrincipal(v)
				if err != nil {
					return nil, err
				}
				principals = append(principals, pr)
			}
		case "Federated", "CanonicalUser":
			return nil, fmt.Errorf("%s principals are not supported in CloudTrail resource-based policies. Use %s.", m.name, p.principalHint())
		default:
			return nil, fmt.Errorf("Principal has an unknown principal type %q. Use %s.", m.name, p.principalHint())
		}
	}

	if len(principals) > maxPrincipalsPerStatement {
		return nil, fmt.Errorf("Principal names %d principals; a statement can have at most %d.", len(principals), maxPrincipalsPerStatement)
	}
	switch p.res.Type {
	case Channel:
		if hasService {
			return nil, errors.New(`Principal "Service" is not allowed in a channel policy. Name the AWS accounts, IAM users, IAM roles or federated users that call PutAuditEvents in Principal "AWS".`)
		}
	case Dashboard:
		if hasAWS {
			return nil, fmt.Errorf(`Principal "AWS" is not allowed in a dashboard policy. The only principal is {"Service": %q}, which refreshes the dashboard on its schedule.`, cloudTrailServicePrincipal)
		}
	case EventDataStore:
		if hasAWS && hasService {
			return nil, fmt.Errorf(`Principal mixes "AWS" and "Service" principals. In an event data store policy, give the %s service principal (dashboard queries) a statement of its own.`, cloudTrailServicePrincipal)
		}
	}
	return principals, nil
}

func (p *parser) parseAWSPrincipal(value string) (principal, error) {
	if value == "*" {
		return principal{}, p.publicPrincipalError(`Principal {"AWS": "*"}`)
	}
	if events.IsAccountID(value) {
		return principal{kind: accountPrincipal, account: value}, nil
	}
	invalid := fmt.Errorf(`Principal "AWS" value %q is not valid. Use a 12-digit account ID or the ARN of an account root, IAM user, IAM role, assumed-role session or federated user, such as arn:aws:iam::111122223333:root.`, value)
	parts := strings.SplitN(value, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return principal{}, invalid
	}
	if strings.ContainsAny(value, "*?") {
		return principal{}, fmt.Errorf(`Principal "AWS" value %q contains a wildcard. Principal ARNs cannot use wildcards; name each account, user or role.`, value)
	}
	partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	if region != "" || !events.IsAccountID(account) {
		return principal{}, invalid
	}
	if p.partition != "" && partition != p.partition {
		return principal{}, fmt.Errorf(`Principal "AWS" value %q is in partition %q, but the %s is in partition %q.`, value, partition, p.res.Type, p.partition)
	}
	switch service {
	case "iam":
		if resource == "root" {
			return principal{kind: accountPrincipal, account: account}, nil
		}
		if name, ok := strings.CutPrefix(resource, "user/"); ok && isIAMPathAndName(name) {
			return principal{kind: userPrincipal, account: account, arn: value}, nil
		}
		if name, ok := strings.CutPrefix(resource, "role/"); ok && isIAMPathAndName(name) {
			roleName := name[strings.LastIndex(name, "/")+1:]
			return principal{kind: rolePrincipal, account: account, arn: value,
				rolesSessionPrefix: "arn:" + partition + ":sts::" + account + ":assumed-role/" + roleName + "/"}, nil
		}
	case "sts":
		if rest, ok := strings.CutPrefix(resource, "assumed-role/"); ok {
			if role, session, ok := strings.Cut(rest, "/"); ok && isIAMName(role) && isIAMName(session) {
				return principal{kind: sessionPrincipal, account: account, arn: value}, nil
			}
		}
		if name, ok := strings.CutPrefix(resource, "federated-user/"); ok && isIAMName(name) {
			return principal{kind: sessionPrincipal, account: account, arn: value}, nil
		}
	}
	return principal{}, invalid
}

func (p *parser) parseServicePrincipal(value string) (principal, error) {
	if value == "*" {
		return principal{}, p.publicPrincipalError(`Principal {"Service": "*"}`)
	}
	if value != cloudTrailServicePrincipal {
		return principal{}, fmt.Errorf(`Principal "Service" value %q is not supported. The only service principal CloudTrail accepts is %s.`, value, cloudTrailServicePrincipal)
	}
	return principal{kind: servicePrincipal, service: value}, nil
}

// publicPrincipalError refuses "*". CloudTrail documents principals as
// accounts, users, roles and federated users (and the CloudTrail service
// for dashboards); AWS does not say whether it accepts a public policy, and
// nobody expects an audit log channel or event data store to be open to
// every AWS account, so Cairn refuses it.
func (p *parser) publicPrincipalError(what string) error {
	return fmt.Errorf("%s would give every AWS account access to this %s, which CloudTrail resource-based policies do not allow. Use %s.", what, p.res.Type, p.principalHint())
}

func (p *parser) principalHint() string {
	if p.res.Type == Dashboard {
		return fmt.Sprintf(`{"Service": %q}`, cloudTrailServicePrincipal)
	}
	hint := `{"AWS": ["111122223333", "arn:aws:iam::111122223333:role/Example"]} (account IDs, or root, IAM user and IAM role ARNs)`
	if p.res.Type == EventDataStore {
		hint += fmt.Sprintf(`, or {"Service": %q} for dashboard queries`, cloudTrailServicePrincipal)
	}
	return hint
}

// isIAMName reports whether s uses only the characters IAM allows in user,
// role and session names.
func isIAMName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune("+=,.@_-", c):
		default:
			return false
		}
	}
	return true
}

// isIAMPathAndName accepts "name" and "path/to/name".
func isIAMPathAndName(s string) bool {
	for segment := range strings.SplitSeq(s, "/") {
		if !isIAMName(segment) {
			return false
		}
	}
	return true
}
