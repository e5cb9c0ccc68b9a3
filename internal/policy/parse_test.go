package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseAcceptsDocumentedPolicies(t *testing.T) {
	for _, tc := range documentedPolicies {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.document, tc.resource); err != nil {
				t.Fatalf("Parse: %v", err)
			}
		})
	}
}

// policyWith wraps statements in a 2012-10-17 policy.
func policyWith(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

const (
	partnerPrincipal = `"Principal":{"AWS":"111122223333"}`
	putAuditEvents   = `"Action":"cloudtrail-data:PutAuditEvents"`
	startQuery       = `"Action":"cloudtrail:StartQuery"`
	cloudTrailSvc    = `"Principal":{"Service":"cloudtrail.amazonaws.com"}`
	refreshAction    = `"Action":"cloudtrail:StartDashboardRefresh"`
)

// channelStatement is a valid channel statement plus extra members.
func channelStatement(extra string) string {
	s := `{"Effect":"Allow",` + partnerPrincipal + `,` + putAuditEvents
	if extra != "" {
		s += `,` + extra
	}
	return s + `}`
}

func withCondition(condition string) string {
	return policyWith(channelStatement(`"Condition":` + condition))
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name     string
		resource Resource
		document string
	}{
		{"statement as a single object", partnerChannel,
			`{"Version":"2012-10-17","Statement":` + channelStatement("") + `}`},
		{"legacy version", partnerChannel,
			`{"Version":"2008-10-17","Statement":[` + channelStatement("") + `]}`},
		{"policy Id", partnerChannel,
			`{"Version":"2012-10-17","Id":"partner","Statement":[` + channelStatement("") + `]}`},
		{"account ID as a string", partnerChannel, policyWith(channelStatement(""))},
		{"IAM user, role with path, session, federated user", partnerChannel,
			policyWith(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:role/ingest/Writer","arn:aws:sts::111122223333:assumed-role/Writer/s1","arn:aws:sts::111122223333:federated-user/bob"]},` + putAuditEvents + `}`)},
		{"action names are case-insensitive", partnerChannel,
			policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,"Action":["CloudTrail-Data:putauditevents"]}`)},
		{"Resource *", partnerChannel, policyWith(channelStatement(`"Resource":"*"`))},
		{"Resource wildcard", partnerChannel,
			policyWith(channelStatement(`"Resource":["arn:aws:cloudtrail:us-east-1:777777777777:channel/EXAMPLE-*","arn:aws:cloudtrail:*:777777777777:channel/*"]`))},
		{"Deny statement", partnerChannel,
			policyWith(channelStatement(""), `{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/mallory"},`+putAuditEvents+`}`)},
		{"empty Condition", partnerChannel, withCondition(`{}`)},
		{"numbers and booleans as condition values", partnerChannel,
			withCondition(`{"StringEquals":{"aws:SourceAccount":111122223333,"aws:SecureTransport":[true]}}`)},
		{"qualified operators", partnerChannel,
			withCondition(`{"ForAllValues:StringEqualsIfExists":{"aws:SourceAccount":"111122223333"},"ForAnyValue:ArnLike":{"aws:SourceArn":"arn:aws:*:*:*:*"}}`)},
		{"Null", partnerChannel, withCondition(`{"Null":{"cloudtrail:ExternalId":false}}`)},
		{"policy variable text is literal in 2008-10-17", partnerChannel,
			`{"Version":"2008-10-17","Statement":[` + channelStatement(`"Condition":{"StringEquals":{"aws:PrincipalTag/x":"${aws:username}"}}`) + `]}`},
		{"EDS: statements for AWS principals and for the service", dashboardEDS,
			policyWith(`{"Sid":"Queries","Effect":"Allow",`+partnerPrincipal+`,"Action":["cloudtrail:StartQuery","cloudtrail:CancelQuery","cloudtrail:ListQueries","cloudtrail:DescribeQuery","cloudtrail:GetQueryResults","cloudtrail:GenerateQuery","cloudtrail:GenerateQueryResultsSummary","cloudtrail:GetEventDataStore"]}`,
				`{"Sid":"Dashboards","Effect":"Allow",`+cloudTrailSvc+`,`+startQuery+`}`)},
		{"20 statements", partnerChannel, policyWith(repeatStatements(20)...)},
		{"50 principals", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":[` + accountList(50) + `]},` + putAuditEvents + `}`)},
		{"8192 characters, more bytes", partnerChannel, padToLength(policyWith(channelStatement(`"Sid":"é"`)), 8192, "é")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.document, tc.resource); err != nil {
				t.Fatalf("Parse: %v", err)
			}
		})
	}
}

func repeatStatements(n int) []string {
	statements := make([]string, n)
	for i := range statements {
		statements[i] = channelStatement(fmt.Sprintf(`"Sid":"S%d"`, i))
	}
	return statements
}

func accountList(n int) string {
	accounts := make([]string, n)
	for i := range accounts {
		accounts[i] = fmt.Sprintf(`"%012d"`, 100000000000+i)
	}
	return strings.Join(accounts, ",")
}

// padToLength grows the Sid "é" of document with filler until the document
// is length characters long.
func padToLength(document string, length int, filler string) string {
	missing := length - len([]rune(document))
	return strings.Replace(document, `"Sid":"é"`, `"Sid":"é`+strings.Repeat(filler, missing)+`"`, 1)
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name      string
		resource  Resource
		document  string
		statement int // expected ValidationError.Statement
		want      string
	}{
		// The document as a whole.
		{"empty", partnerChannel, "", 0, "The resource policy is empty."},
		{"blank", partnerChannel, " \n", 0, "The resource policy is empty."},
		{"too long", partnerChannel, padToLength(policyWith(channelStatement(`"Sid":"é"`)), 8193, "x"), 0,
			"The resource policy is 8193 characters long; the maximum is 8192."},
		{"not JSON", partnerChannel, `{"Version":`, 0, "The resource policy is not valid JSON: unexpected end of JSON input (at byte offset 11)."},
		{"trailing text", partnerChannel, `{} x`, 0, "The resource policy is not valid JSON: invalid character 'x' after top-level value (at byte offset 4)."},
		{"array", partnerChannel, `[]`, 0, "The resource policy must be a JSON object, not an array."},
		{"string", partnerChannel, `"policy"`, 0, "The resource policy must be a JSON object, not a string."},
		{"duplicate element", partnerChannel, `{"Version":"2012-10-17","Version":"2008-10-17","Statement":[]}`, 0,
			`The resource policy has more than one "Version" element.`},
		{"unknown element", partnerChannel, `{"Version":"2012-10-17","Statements":[]}`, 0,
			`The resource policy has an unknown element "Statements". Valid elements are Version, Id and Statement.`},
		{"element name case", partnerChannel, `{"version":"2012-10-17","Statement":[]}`, 0,
			`The resource policy has an unknown element "version". Element names are case-sensitive: use "Version".`},
		{"Id not a string", partnerChannel, `{"Version":"2012-10-17","Id":7,"Statement":[]}`, 0, "Id must be a string, not a number."},
		{"missing Version", partnerChannel, `{"Statement":[` + channelStatement("") + `]}`, 0,
			`The resource policy is missing the required Version element. Add "Version": "2012-10-17".`},
		{"unsupported Version", partnerChannel, `{"Version":"2012-10-18","Statement":[]}`, 0,
			`Version "2012-10-18" is not supported. Use "2012-10-17" (or the older "2008-10-17").`},
		{"Version not a string", partnerChannel, `{"Version":2012,"Statement":[]}`, 0,
			`Version must be the string "2012-10-17", not a number.`},
		{"missing Statement", partnerChannel, `{"Version":"2012-10-17"}`, 0, "The resource policy is missing the required Statement element."},
		{"Statement not an object or array", partnerChannel, `{"Version":"2012-10-17","Statement":"Allow"}`, 0,
			"Statement must be an object or an array of objects, not a string."},
		{"no statements", partnerChannel, `{"Version":"2012-10-17","Statement":[]}`, 0,
			"Statement is an empty array. The resource policy must contain at least one statement."},
		{"21 statements", partnerChannel, policyWith(repeatStatements(21)...), 0,
			"The resource policy has 21 statements; the maximum is 20."},

		// Statement structure.
		{"statement not an object", partnerChannel, policyWith(`1`), 1, "Statement 1: Each statement must be a JSON object, not a number."},
		{"duplicate statement element", partnerChannel, policyWith(channelStatement(`"Effect":"Deny"`)), 1,
			`Statement 1: The statement has more than one "Effect" element.`},
		{"unknown statement element", partnerChannel, policyWith(channelStatement(`"Sid":"S","Resources":"*"`)), 1,
			`Statement 1 (Sid "S"): The statement has an unknown element "Resources". Valid elements are Sid, Effect, Principal, Action, Resource and Condition.`},
		{"statement element case", partnerChannel, policyWith(`{"effect":"Allow",` + partnerPrincipal + `,` + putAuditEvents + `}`), 1,
			`Statement 1: The statement has an unknown element "effect". Element names are case-sensitive: use "Effect".`},
		{"NotPrincipal", partnerChannel, policyWith(`{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},` + putAuditEvents + `}`), 1,
			"Statement 1: NotPrincipal is not supported in CloudTrail resource-based policies. Name the principals in Principal."},
		{"NotAction", partnerChannel, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,"NotAction":"cloudtrail:*"}`), 1,
			"Statement 1: NotAction is not supported in CloudTrail resource-based policies. List the actions in Action."},
		{"NotResource", crossAccount, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,` + startQuery + `,"NotResource":"*"}`), 1,
			"Statement 1: NotResource is not supported in CloudTrail resource-based policies. Use Resource, or leave it out to apply the statement to this event data store."},
		{"Sid not a string", partnerChannel, policyWith(channelStatement(`"Sid":1`)), 1, "Statement 1: Sid must be a string, not a number."},
		{"duplicate Sid", partnerChannel, policyWith(channelStatement(`"Sid":"A"`), channelStatement(`"Sid":"B"`), channelStatement(`"Sid":"A"`)), 3,
			`Statement 3 (Sid "A"): Sid "A" is already used by statement 1. Statement IDs must be unique within a policy.`},

		// Effect.
		{"missing Effect", partnerChannel, policyWith(`{` + partnerPrincipal + `,` + putAuditEvents + `}`), 1,
			`Statement 1: Effect is missing. Add "Effect": "Allow" or "Effect": "Deny".`},
		{"Effect case", partnerChannel, policyWith(`{"Sid":"S","Effect":"allow",` + partnerPrincipal + `,` + putAuditEvents + `}`), 1,
			`Statement 1 (Sid "S"): Effect "allow" is not valid. Use "Allow" or "Deny" (values are case-sensitive).`},
		{"Effect not a string", partnerChannel, policyWith(`{"Effect":true,` + partnerPrincipal + `,` + putAuditEvents + `}`), 1,
			`Statement 1: Effect must be "Allow" or "Deny", not a boolean.`},

		// Principal.
		{"missing Principal", partnerChannel, policyWith(`{"Effect":"Allow",` + putAuditEvents + `}`), 1,
			"Statement 1: Principal is missing. Each statement must name at least one principal"},
		{"public principal", partnerChannel, policyWith(`{"Effect":"Allow","Principal":"*",` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "*" would give every AWS account access to this channel, which CloudTrail resource-based policies do not allow.`},
		{"public AWS principal", crossAccount, policyWith(`{"Effect":"Allow","Principal":{"AWS":["111122223333","*"]},` + startQuery + `}`), 1,
			`Statement 1: Principal {"AWS": "*"} would give every AWS account access to this event data store`},
		{"public service principal", exampleDash, policyWith(`{"Effect":"Allow","Principal":{"Service":"*"},` + refreshAction + `}`), 1,
			`Statement 1: Principal {"Service": "*"} would give every AWS account access to this dashboard`},
		{"Principal as an account string", partnerChannel, policyWith(`{"Effect":"Allow","Principal":"111122223333",` + putAuditEvents + `}`), 1,
			`Statement 1: Principal must be an object, not the string "111122223333".`},
		{"Principal as an array", partnerChannel, policyWith(`{"Effect":"Allow","Principal":["111122223333"],` + putAuditEvents + `}`), 1,
			"Statement 1: Principal must be an object, not an array."},
		{"empty Principal", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{},` + putAuditEvents + `}`), 1,
			"Statement 1: Principal is empty."},
		{"empty AWS list", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":[]},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "AWS" is an empty array. Give at least one value.`},
		{"AWS principal not a string", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":111122223333},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "AWS" must be a string or an array of strings, not a number.`},
		{"AWS list entry not a string", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":["111122223333",5]},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "AWS" must contain only strings, but entry 2 is a number.`},
		{"duplicate principal type", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":"111122223333","AWS":"444455556666"},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal has more than one "AWS" entry.`},
		{"federated principal", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},` + putAuditEvents + `}`), 1,
			"Statement 1: Federated principals are not supported in CloudTrail resource-based policies."},
		{"unknown principal type", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"Account":"111122223333"},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal has an unknown principal type "Account".`},
		{"11-digit account", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":"11112222333"},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "AWS" value "11112222333" is not valid. Use a 12-digit account ID or the ARN of an account root, IAM user, IAM role, assumed-role session or federated user, such as arn:aws:iam::111122223333:root.`},
		{"IAM group", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:group/admins"},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "AWS" value "arn:aws:iam::111122223333:group/admins" is not valid.`},
		{"principal with a Region", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam:us-east-1:111122223333:root"},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "AWS" value "arn:aws:iam:us-east-1:111122223333:root" is not valid.`},
		{"user without a name", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/"},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "AWS" value "arn:aws:iam::111122223333:user/" is not valid.`},
		{"session without a session name", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/Writer"},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "AWS" value "arn:aws:sts::111122223333:assumed-role/Writer" is not valid.`},
		{"wildcard principal ARN", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/*"},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "AWS" value "arn:aws:iam::111122223333:role/*" contains a wildcard. Principal ARNs cannot use wildcards; name each account, user or role.`},
		{"principal in another partition", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::111122223333:root"},` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "AWS" value "arn:aws-cn:iam::111122223333:root" is in partition "aws-cn", but the channel is in partition "aws".`},
		{"51 principals", partnerChannel, policyWith(`{"Effect":"Allow","Principal":{"AWS":[` + accountList(51) + `]},` + putAuditEvents + `}`), 1,
			"Statement 1: Principal names 51 principals; a statement can have at most 50."},
		{"service principal on a channel", partnerChannel, policyWith(`{"Effect":"Allow",` + cloudTrailSvc + `,` + putAuditEvents + `}`), 1,
			`Statement 1: Principal "Service" is not allowed in a channel policy.`},
		{"AWS principal on a dashboard", exampleDash, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,` + refreshAction + `}`), 1,
			`Statement 1: Principal "AWS" is not allowed in a dashboard policy. The only principal is {"Service": "cloudtrail.amazonaws.com"}, which refreshes the dashboard on its schedule.`},
		{"AWS and service principals together", dashboardEDS, policyWith(`{"Effect":"Allow","Principal":{"AWS":"111122223333","Service":"cloudtrail.amazonaws.com"},` + startQuery + `}`), 1,
			`Statement 1: Principal mixes "AWS" and "Service" principals.`},
		{"other service principal", exampleDash, policyWith(`{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},` + refreshAction + `}`), 1,
			`Statement 1: Principal "Service" value "events.amazonaws.com" is not supported. The only service principal CloudTrail accepts is cloudtrail.amazonaws.com.`},

		// Action.
		{"missing Action on a channel", partnerChannel, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `}`), 1,
			"Statement 1: Action is missing. The only action supported in a channel policy is cloudtrail-data:PutAuditEvents."},
		{"missing Action on an event data store", crossAccount, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `}`), 1,
			"Statement 1: Action is missing. The actions supported in an event data store policy are cloudtrail:StartQuery, cloudtrail:CancelQuery, cloudtrail:ListQueries, cloudtrail:DescribeQuery, cloudtrail:GetQueryResults, cloudtrail:GenerateQuery, cloudtrail:GenerateQueryResultsSummary and cloudtrail:GetEventDataStore."},
		{"query action on a channel", partnerChannel, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,` + startQuery + `}`), 1,
			`Statement 1: Action "cloudtrail:StartQuery" is not supported in a channel policy. The only action supported in a channel policy is cloudtrail-data:PutAuditEvents.`},
		{"wildcard action", partnerChannel, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,"Action":"cloudtrail-data:*"}`), 1,
			`Statement 1: Action "cloudtrail-data:*" uses a wildcard; CloudTrail resource-based policies name each action.`},
		{"Action *", crossAccount, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,"Action":"*"}`), 1,
			`Statement 1: Action "*" uses a wildcard`},
		{"empty Action list", partnerChannel, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,"Action":[]}`), 1,
			"Statement 1: Action is an empty array. Give at least one value."},
		{"Action not a string", partnerChannel, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,"Action":{"cloudtrail-data":"PutAuditEvents"}}`), 1,
			"Statement 1: Action must be a string or an array of strings, not an object."},
		{"management action on an event data store", crossAccount, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,"Action":["cloudtrail:StartQuery","cloudtrail:DeleteEventDataStore"]}`), 1,
			`Statement 1: Action "cloudtrail:DeleteEventDataStore" is not supported in an event data store policy. The actions supported in an event data store policy are`},
		{"service principal beyond StartQuery", dashboardEDS, policyWith(`{"Effect":"Allow",` + cloudTrailSvc + `,"Action":["cloudtrail:StartQuery","cloudtrail:GetQueryResults"]}`), 1,
			`Statement 1: Action "cloudtrail:GetQueryResults" is not allowed for the cloudtrail.amazonaws.com service principal. The only action the cloudtrail.amazonaws.com service principal may have in an event data store policy is cloudtrail:StartQuery.`},
		{"query action on a dashboard", exampleDash, policyWith(`{"Effect":"Allow",` + cloudTrailSvc + `,` + startQuery + `}`), 1,
			`Statement 1: Action "cloudtrail:StartQuery" is not allowed for the cloudtrail.amazonaws.com service principal. The only action the cloudtrail.amazonaws.com service principal may have in a dashboard policy is cloudtrail:StartDashboardRefresh.`},

		// Resource.
		{"another channel", partnerChannel, policyWith(channelStatement(`"Resource":"arn:aws:cloudtrail:us-east-1:777777777777:channel/other"`)), 1,
			`Statement 1: Resource "arn:aws:cloudtrail:us-east-1:777777777777:channel/other" does not match the ARN of the channel this policy is attached to (arn:aws:cloudtrail:us-east-1:777777777777:channel/EXAMPLE-80b5-40a7-ae65-6e099392355b). The Resource in a channel policy must name that channel.`},
		{"one wrong entry in the list", partnerChannel, policyWith(channelStatement(`"Resource":["` + partnerChannelARN + `","arn:aws:cloudtrail:us-east-1:777777777777:eventdatastore/*"]`)), 1,
			`Statement 1: Resource "arn:aws:cloudtrail:us-east-1:777777777777:eventdatastore/*" does not match the ARN of the channel`},
		{"not an ARN", partnerChannel, policyWith(channelStatement(`"Resource":"channel/EXAMPLE"`)), 1,
			`Statement 1: Resource "channel/EXAMPLE" is not an ARN. Use the ARN of this channel (arn:aws:cloudtrail:us-east-1:777777777777:channel/EXAMPLE-80b5-40a7-ae65-6e099392355b), or leave Resource out.`},
		{"Resource not a string", partnerChannel, policyWith(channelStatement(`"Resource":true`)), 1,
			"Statement 1: Resource must be a string or an array of strings, not a boolean."},
		{"policy variable in Resource", partnerChannel, policyWith(channelStatement(`"Resource":"arn:aws:cloudtrail:us-east-1:${aws:PrincipalAccount}:channel/*"`)), 1,
			"uses a policy variable, which CloudTrail resource-based policies do not support."},
		{"dashboards as Resource for AWS principals", dashboardEDS, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,` + startQuery + `,"Resource":"arn:aws:cloudtrail:us-east-1:123456789012:dashboard/*"}`), 1,
			`Statement 1: Resource "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/*" does not match the ARN of the event data store this policy is attached to`},
		{"another account's dashboards", dashboardEDS, policyWith(`{"Effect":"Allow",` + cloudTrailSvc + `,` + startQuery + `,"Resource":"arn:aws:cloudtrail:us-east-1:111122223333:dashboard/*"}`), 1,
			`Statement 1: Resource "arn:aws:cloudtrail:us-east-1:111122223333:dashboard/*" does not match the ARN of the event data store`},
		{"another dashboard", exampleDash, policyWith(`{"Effect":"Allow",` + cloudTrailSvc + `,` + refreshAction + `,"Resource":"arn:aws:cloudtrail:us-east-1:123456789012:dashboard/other"}`), 1,
			`Statement 1: Resource "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/other" does not match the ARN of the dashboard this policy is attached to (arn:aws:cloudtrail:us-east-1:123456789012:dashboard/exampleDash).`},

		// Condition.
		{"Condition not an object", partnerChannel, withCondition(`"StringEquals"`), 1,
			`Statement 1: Condition must be an object such as {"StringEquals": {"aws:SourceAccount": "111122223333"}}, not a string.`},
		{"operator value not an object", partnerChannel, withCondition(`{"StringEquals":"cloudtrail:ExternalId"}`), 1,
			`Statement 1: Condition operator "StringEquals" must map condition keys to values, not a string.`},
		{"operator without keys", partnerChannel, withCondition(`{"StringEquals":{}}`), 1,
			`Statement 1: Condition operator "StringEquals" names no condition key.`},
		{"duplicate operator", partnerChannel, withCondition(`{"StringEquals":{"aws:SourceAccount":"1"},"StringEquals":{"aws:SourceArn":"x"}}`), 1,
			`Statement 1: Condition has more than one "StringEquals" operator.`},
		{"duplicate key", partnerChannel, withCondition(`{"StringEquals":{"cloudtrail:ExternalId":"ab","cloudtrail:ExternalId":"cd"}}`), 1,
			`Statement 1: Condition operator "StringEquals" has more than one "cloudtrail:ExternalId" key.`},
		{"unknown operator", partnerChannel, withCondition(`{"StringEqual":{"cloudtrail:ExternalId":"ab"}}`), 1,
			`Statement 1: Condition operator "StringEqual" is not valid. Supported operators are StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals, ArnNotEquals, ArnLike, ArnNotLike and Null, each optionally with the IfExists suffix or a ForAnyValue: or ForAllValues: prefix (except Null).`},
		{"operator case", partnerChannel, withCondition(`{"stringEquals":{"cloudtrail:ExternalId":"ab"}}`), 1,
			`Statement 1: Condition operator "stringEquals" is not valid; operator names are case-sensitive: use "StringEquals".`},
		{"IAM operator Cairn does not evaluate", partnerChannel, withCondition(`{"Bool":{"aws:SecureTransport":"true"}}`), 1,
			`Statement 1: Condition operator "Bool" is not supported in CloudTrail resource-based policies.`},
		{"unknown qualifier", partnerChannel, withCondition(`{"ForSomeValues:StringEquals":{"aws:SourceAccount":"1"}}`), 1,
			`Statement 1: Condition operator "ForSomeValues:StringEquals" is not valid.`},
		{"NullIfExists", partnerChannel, withCondition(`{"NullIfExists":{"cloudtrail:ExternalId":"false"}}`), 1,
			`Statement 1: Condition operator "NullIfExists" is not valid: Null tests whether a key exists, so it takes neither IfExists nor ForAnyValue:/ForAllValues:.`},
		{"qualified Null", partnerChannel, withCondition(`{"ForAnyValue:Null":{"cloudtrail:ExternalId":"false"}}`), 1,
			`Statement 1: Condition operator "ForAnyValue:Null" is not valid`},
		{"key without prefix", partnerChannel, withCondition(`{"StringEquals":{"ExternalId":"ab"}}`), 1,
			`Statement 1: Condition key "ExternalId" is not valid. Condition keys look like aws:SourceAccount or cloudtrail:ExternalId.`},
		{"unknown CloudTrail key", partnerChannel, withCondition(`{"StringEquals":{"cloudtrail:ChannelName":"ab"}}`), 1,
			`Statement 1: Condition key "cloudtrail:ChannelName" does not exist. The only CloudTrail condition key is cloudtrail:ExternalId.`},
		{"other service's key", partnerChannel, withCondition(`{"StringEquals":{"s3:prefix":"ab"}}`), 1,
			`Statement 1: Condition key "s3:prefix" is not available in CloudTrail requests. Use a global aws: condition key or cloudtrail:ExternalId.`},
		{"external ID outside channels", crossAccount, policyWith(`{"Effect":"Allow",` + partnerPrincipal + `,` + startQuery + `,"Condition":{"StringEquals":{"cloudtrail:ExternalId":"ab"}}}`), 1,
			"Statement 1: Condition key cloudtrail:ExternalId is only available in channel policies (it is the externalId parameter of PutAuditEvents)."},
		{"service principal with another key", exampleDash, policyWith(`{"Effect":"Allow",` + cloudTrailSvc + `,` + refreshAction + `,"Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}}`), 1,
			`Statement 1: Condition key "aws:PrincipalAccount" is not allowed for the cloudtrail.amazonaws.com service principal. Its conditions may only use aws:SourceArn (the dashboard ARN) and aws:SourceAccount (your account ID).`},
		{"object as a value", partnerChannel, withCondition(`{"StringEquals":{"aws:SourceAccount":{"a":"b"}}}`), 1,
			`Statement 1: Condition "StringEquals" value for "aws:SourceAccount" must be a string or an array of strings, not an object.`},
		{"null as a value", partnerChannel, withCondition(`{"StringEquals":{"aws:SourceAccount":["111122223333",null]}}`), 1,
			`Statement 1: Condition "StringEquals" value for "aws:SourceAccount" must be a string or an array of strings, not null.`},
		{"empty value list", partnerChannel, withCondition(`{"StringEquals":{"aws:SourceAccount":[]}}`), 1,
			`Statement 1: Condition "StringEquals" value for "aws:SourceAccount" is an empty array. Give at least one value.`},
		{"Null value", partnerChannel, withCondition(`{"Null":{"cloudtrail:ExternalId":"yes"}}`), 1,
			`Statement 1: Condition "Null" value for "cloudtrail:ExternalId" must be "true" (the key is absent) or "false" (the key is present), not "yes".`},
		{"Arn value not an ARN", partnerChannel, withCondition(`{"ArnLike":{"aws:SourceArn":"dashboard/*"}}`), 1,
			`Statement 1: Condition "ArnLike" value for "aws:SourceArn" "dashboard/*" is not an ARN.`},
		{"external ID too short", partnerChannel, withCondition(`{"StringEquals":{"cloudtrail:ExternalId":"x"}}`), 1,
			`Statement 1: Condition "StringEquals" value for "cloudtrail:ExternalId" "x" can never match: PutAuditEvents accepts external IDs of 2 to 1224 characters made of letters, digits and _+=,.@:/-.`},
		{"external ID with a space", partnerChannel, withCondition(`{"StringEqualsIgnoreCase":{"cloudtrail:ExternalId":["good-id","bad id"]}}`), 1,
			`Statement 1: Condition "StringEqualsIgnoreCase" value for "cloudtrail:ExternalId" "bad id" can never match`},
		{"policy variable in a condition", partnerChannel, withCondition(`{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}`), 1,
			`Statement 1: Condition "StringEquals" value for "aws:SourceAccount" "${aws:PrincipalAccount}" uses a policy variable, which CloudTrail resource-based policies do not support.`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.document, tc.resource)
			if err == nil {
				t.Fatalf("Parse accepted the policy (%d statements); want error containing %q", len(p.statements), tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error\n  %q\nwant it to contain\n  %q", err.Error(), tc.want)
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error %T is not a *ValidationError", err)
			}
			if verr.Statement != tc.statement {
				t.Errorf("ValidationError.Statement = %d, want %d", verr.Statement, tc.statement)
			}
		})
	}
}

func TestValidationErrorNamesTheStatement(t *testing.T) {
	_, err := Parse(policyWith(channelStatement(`"Sid":"First"`), `{"Sid":"Second","Effect":"Allow",`+partnerPrincipal+`,"Action":"cloudtrail:StartQuery"}`), partnerChannel)
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("error %v is not a *ValidationError", err)
	}
	if verr.Statement != 2 || verr.Sid != "Second" {
		t.Fatalf("got statement %d Sid %q, want 2 and Second", verr.Statement, verr.Sid)
	}
	if !strings.HasPrefix(err.Error(), `Statement 2 (Sid "Second"): Action "cloudtrail:StartQuery"`) {
		t.Fatalf("message %q does not start with the statement and element", err.Error())
	}
}

func TestParseRejectsBadResource(t *testing.T) {
	for _, res := range []Resource{
		{Type: 0, ARN: partnerChannelARN},
		{Type: Dashboard + 1, ARN: partnerChannelARN},
		{Type: Channel},
	} {
		_, err := Parse(partnerChannelPolicy, res)
		if err == nil {
			t.Fatalf("Parse accepted resource %+v", res)
		}
		var verr *ValidationError
		if errors.As(err, &verr) {
			t.Fatalf("a bad Resource argument is a programming error, not a policy error: %v", err)
		}
	}
}
