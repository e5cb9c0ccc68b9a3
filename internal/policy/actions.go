package policy

import (
	"encoding/json"
	"fmt"
	"strings"
)

// supportedActions are the actions the user guide lists for each resource
// type. The guide names them exactly and never shows a wildcard, so Cairn
// accepts no wildcards: "cloudtrail:*" would also name actions (such as
// DeleteEventDataStore) that a resource-based policy cannot grant.
var supportedActions = map[ResourceType][]string{
	Channel: {"cloudtrail-data:PutAuditEvents"},
	EventDataStore: {
		"cloudtrail:StartQuery",
		"cloudtrail:CancelQuery",
		"cloudtrail:ListQueries",
		"cloudtrail:DescribeQuery",
		"cloudtrail:GetQueryResults",
		"cloudtrail:GenerateQuery",
		"cloudtrail:GenerateQueryResultsSummary",
		"cloudtrail:GetEventDataStore",
	},
	Dashboard: {"cloudtrail:StartDashboardRefresh"},
}

// serviceActions are the actions a statement for the CloudTrail service
// principal may allow.
var serviceActions = map[ResourceType][]string{
	EventDataStore: {"cloudtrail:StartQuery"},
	Dashboard:      {"cloudtrail:StartDashboardRefresh"},
}

func (p *parser) allowedActions(forService bool) []string {
	if forService {
		return serviceActions[p.res.Type]
	}
	return supportedActions[p.res.Type]
}

func (p *parser) actionsHint(forService bool) string {
	allowed := p.allowedActions(forService)
	if len(allowed) == 1 {
		if forService {
			return fmt.Sprintf("The only action the %s service principal may have in %s is %s.", cloudTrailServicePrincipal, policyOn(p.res.Type), allowed[0])
		}
		return fmt.Sprintf("The only action supported in %s is %s.", policyOn(p.res.Type), allowed[0])
	}
	return fmt.Sprintf("The actions supported in %s are %s.", policyOn(p.res.Type), joinWords(allowed, "and"))
}

// parseActions returns the actions in their documented spelling; IAM action
// names are case-insensitive.
func (p *parser) parseActions(raw json.RawMessage, forService bool) ([]string, error) {
	values, err := stringList(raw, "Action")
	if err != nil {
		return nil, err
	}
	allowed := p.allowedActions(forService)
	actions := make([]string, 0, len(values))
	for _, v := range values {
		if strings.ContainsAny(v, "*?") {
			return nil, fmt.Errorf("Action %q uses a wildcard; CloudTrail resource-based policies name each action. %s", v, p.actionsHint(forService))
		}
		canonical := ""
		for _, a := range allowed {
			if strings.EqualFold(a, v) {
				canonical = a
				break
			}
		}
		if canonical == "" {
			if forService {
				return nil, fmt.Errorf("Action %q is not allowed for the %s service principal. %s", v, cloudTrailServicePrincipal, p.actionsHint(forService))
			}
			return nil, fmt.Errorf("Action %q is not supported in %s. %s", v, policyOn(p.res.Type), p.actionsHint(forService))
		}
		actions = append(actions, canonical)
	}
	return actions, nil
}

// resourcePattern is one entry of a statement's Resource element.
type resourcePattern struct {
	pattern string
	// onBehalfOfDashboards marks a dashboard ARN pattern in an event data
	// store policy; see parseResources.
	onBehalfOfDashboards bool
}

func (rp resourcePattern) matches(r Request, target, attachedARN string) bool {
	if !rp.onBehalfOfDashboards {
		return arnPatternMatches(rp.pattern, target)
	}
	if target != attachedARN {
		return false
	}
	dashboard, ok := contextValue(r, sourceARNKey)
	return ok && arnPatternMatches(rp.pattern, dashboard)
}

// parseResources checks that every entry names the resource the policy is
// attached to, as the guide requires for channels ("The resource ARN
// defined in the policy must match the channel ARN") and as a CloudTrail
// user expects for the other types. An entry may be an ARN with * and ?
// wildcards in its fields, or "*".
//
// One documented exception: the guide's event data store example for
// dashboard refreshes gives the cloudtrail.amazonaws.com statement
// "Resource": "arn:aws:cloudtrail:<region>:<account>:dashboard/*", the
// dashboards the queries run for, not the event data store. Cairn accepts
// dashboard ARNs of the owner account in such statements and reads them as
// a limit on the dashboard the service acts for (aws:SourceArn), on this
// event data store.
func (p *parser) parseResources(raw json.RawMessage, forService bool) ([]resourcePattern, error) {
	values, err := stringList(raw, "Resource")
	if err != nil {
		return nil, err
	}
	patterns := make([]resourcePattern, 0, len(values))
	for _, v := range values {
		if p.hasPolicyVariable(v) {
			return nil, fmt.Errorf("Resource %q uses a policy variable, which CloudTrail resource-based policies do not support. Name the %s's ARN.", v, p.res.Type)
		}
		if v != "*" && !isARNShaped(v) {
			return nil, fmt.Errorf("Resource %q is not an ARN. Use the ARN of this %s (%s), or leave Resource out.", v, p.res.Type, p.res.ARN)
		}
		switch {
		case arnPatternMatches(v, p.res.ARN):
			patterns = append(patterns, resourcePattern{pattern: v})
		case p.res.Type == EventDataStore && forService && p.namesOwnerDashboards(v):
			patterns = append(patterns, resourcePattern{pattern: v, onBehalfOfDashboards: true})
		default:
			return nil, fmt.Errorf("Resource %q does not match the ARN of the %s this policy is attached to (%s). The Resource in %s must name that %s.", v, p.res.Type, p.res.ARN, policyOn(p.res.Type), p.res.Type)
		}
	}
	return patterns, nil
}

func (p *parser) namesOwnerDashboards(pattern string) bool {
	parts := strings.SplitN(pattern, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" &&
		(p.partition == "" || parts[1] == p.partition) &&
		parts[2] == "cloudtrail" &&
		parts[4] == p.owner &&
		strings.HasPrefix(parts[5], "dashboard/")
}
