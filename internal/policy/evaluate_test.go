package policy

import "testing"

func mustParse(t *testing.T, document string, res Resource) *Policy {
	t.Helper()
	p, err := Parse(document, res)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

type evaluation struct {
	name    string
	request Request
	want    Decision
}

func checkEvaluations(t *testing.T, p *Policy, tests []evaluation) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Evaluate(tc.request); got != tc.want {
				t.Fatalf("Evaluate(%+v) = %v, want %v", tc.request, got, tc.want)
			}
		})
	}
}

func putAuditEventsBy(principalARN string, context map[string]string) Request {
	return Request{PrincipalARN: principalARN, Action: "cloudtrail-data:PutAuditEvents", Resource: partnerChannelARN, Context: context}
}

func externalID(id string) map[string]string { return map[string]string{"cloudtrail:ExternalId": id} }

func TestEvaluateExternalIDChannelPolicy(t *testing.T) {
	p := mustParse(t, partnerChannelPolicy, partnerChannel)
	checkEvaluations(t, p, []evaluation{
		{"partner root with the external ID", Request{PrincipalAccount: "111122223333", PrincipalARN: "arn:aws:iam::111122223333:root",
			Action: "cloudtrail-data:PutAuditEvents", Resource: partnerChannelARN, Context: externalID("UniqueExternalIDFromPartner")}, Allow},
		{"partner user with the external ID", putAuditEventsBy("arn:aws:iam::111122223333:user/alice", externalID("UniqueExternalIDFromPartner")), Allow},
		{"partner role session with the external ID", putAuditEventsBy("arn:aws:sts::111122223333:assumed-role/Writer/s1", externalID("UniqueExternalIDFromPartner")), Allow},
		{"wrong external ID", putAuditEventsBy("arn:aws:iam::111122223333:root", externalID("SomeoneElsesID")), NotApplicable},
		{"external ID in another case", putAuditEventsBy("arn:aws:iam::111122223333:root", externalID("uniqueexternalidfrompartner")), NotApplicable},
		{"no external ID", putAuditEventsBy("arn:aws:iam::111122223333:root", nil), NotApplicable},
		{"condition key names are case-insensitive", putAuditEventsBy("arn:aws:iam::111122223333:root",
			map[string]string{"CloudTrail:ExternalID": "UniqueExternalIDFromPartner"}), Allow},
		{"another account with the external ID", putAuditEventsBy("arn:aws:iam::444455556666:root", externalID("UniqueExternalIDFromPartner")), NotApplicable},
		{"the owner is not named", putAuditEventsBy("arn:aws:iam::777777777777:root", externalID("UniqueExternalIDFromPartner")), NotApplicable},
		{"another action", Request{PrincipalARN: "arn:aws:iam::111122223333:root", Action: "cloudtrail:StartQuery",
			Resource: partnerChannelARN, Context: externalID("UniqueExternalIDFromPartner")}, NotApplicable},
		{"action names are case-insensitive", Request{PrincipalARN: "arn:aws:iam::111122223333:root", Action: "CLOUDTRAIL-DATA:putauditevents",
			Resource: partnerChannelARN, Context: externalID("UniqueExternalIDFromPartner")}, Allow},
		{"another channel", Request{PrincipalARN: "arn:aws:iam::111122223333:root", Action: "cloudtrail-data:PutAuditEvents",
			Resource: "arn:aws:cloudtrail:us-east-1:777777777777:channel/other", Context: externalID("UniqueExternalIDFromPartner")}, NotApplicable},
		{"empty Resource means the channel", Request{PrincipalARN: "arn:aws:iam::111122223333:root", Action: "cloudtrail-data:PutAuditEvents",
			Context: externalID("UniqueExternalIDFromPartner")}, Allow},
		{"a service is not an AWS principal", Request{PrincipalService: "cloudtrail.amazonaws.com", Action: "cloudtrail-data:PutAuditEvents",
			Context: externalID("UniqueExternalIDFromPartner")}, NotApplicable},
	})
}

func TestEvaluateGuideChannelPrincipals(t *testing.T) {
	p := mustParse(t, guideChannelPrincipals, guideChannel)
	request := func(arn string) Request {
		return Request{PrincipalARN: arn, Action: "cloudtrail-data:PutAuditEvents", Resource: guideChannelARN}
	}
	checkEvaluations(t, p, []evaluation{
		{"first account", request("arn:aws:iam::111122223333:root"), Allow},
		{"third account's user", request("arn:aws:iam::123456789012:user/bob"), Allow},
		{"unlisted account", request("arn:aws:iam::999999999999:root"), NotApplicable},
		{"no external ID needed", Request{PrincipalAccount: "444455556666", PrincipalARN: "arn:aws:iam::444455556666:user/x",
			Action: "cloudtrail-data:PutAuditEvents", Resource: guideChannelARN, Context: externalID("anything")}, Allow},
	})
}

func TestEvaluatePrincipalMatching(t *testing.T) {
	p := mustParse(t, policyWith(`{"Effect":"Allow","Principal":{"AWS":[
		"222233334444",
		"arn:aws:iam::111122223333:user/alice",
		"arn:aws:iam::111122223333:role/ingest/Writer",
		"arn:aws:sts::111122223333:assumed-role/Auditor/night-shift",
		"arn:aws:sts::111122223333:federated-user/bob"]},`+putAuditEvents+`}`), partnerChannel)
	checkEvaluations(t, p, []evaluation{
		{"account ID matches its root", putAuditEventsBy("arn:aws:iam::222233334444:root", nil), Allow},
		{"account ID matches its users", putAuditEventsBy("arn:aws:iam::222233334444:user/carol", nil), Allow},
		{"account ID matches its role sessions", putAuditEventsBy("arn:aws:sts::222233334444:assumed-role/R/s", nil), Allow},
		{"account taken from PrincipalAccount", Request{PrincipalAccount: "222233334444", PrincipalARN: "arn:aws:iam::222233334444:user/dave",
			Action: "cloudtrail-data:PutAuditEvents"}, Allow},
		{"named user", putAuditEventsBy("arn:aws:iam::111122223333:user/alice", nil), Allow},
		{"another user of the same account", putAuditEventsBy("arn:aws:iam::111122223333:user/mallory", nil), NotApplicable},
		{"the root of a named user's account", putAuditEventsBy("arn:aws:iam::111122223333:root", nil), NotApplicable},
		{"named role", putAuditEventsBy("arn:aws:iam::111122223333:role/ingest/Writer", nil), Allow},
		{"session of a named role (sessions drop the path)", putAuditEventsBy("arn:aws:sts::111122223333:assumed-role/Writer/job-42", nil), Allow},
		{"session of another role", putAuditEventsBy("arn:aws:sts::111122223333:assumed-role/Reader/job-42", nil), NotApplicable},
		{"session of a same-named role in another account", putAuditEventsBy("arn:aws:sts::333344445555:assumed-role/Writer/job-42", nil), NotApplicable},
		{"role without its path", putAuditEventsBy("arn:aws:iam::111122223333:role/Writer", nil), NotApplicable},
		{"named session", putAuditEventsBy("arn:aws:sts::111122223333:assumed-role/Auditor/night-shift", nil), Allow},
		{"another session of the named session's role", putAuditEventsBy("arn:aws:sts::111122223333:assumed-role/Auditor/day-shift", nil), NotApplicable},
		{"named federated user", putAuditEventsBy("arn:aws:sts::111122223333:federated-user/bob", nil), Allow},
		{"anonymous", putAuditEventsBy("", nil), NotApplicable},
	})
}

func TestEvaluateDenyWins(t *testing.T) {
	p := mustParse(t, policyWith(
		channelStatement(`"Sid":"Partner"`),
		`{"Sid":"NotMallory","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/mallory"},`+putAuditEvents+`}`,
		`{"Sid":"NotTheOwner","Effect":"Deny","Principal":{"AWS":"777777777777"},`+putAuditEvents+`}`,
	), partnerChannel)
	checkEvaluations(t, p, []evaluation{
		{"allowed user", putAuditEventsBy("arn:aws:iam::111122223333:user/alice", nil), Allow},
		{"denied user despite the account-wide Allow", putAuditEventsBy("arn:aws:iam::111122223333:user/mallory", nil), Deny},
		{"owner denied explicitly", putAuditEventsBy("arn:aws:iam::777777777777:root", nil), Deny},
		{"everyone else", putAuditEventsBy("arn:aws:iam::999999999999:root", nil), NotApplicable},
	})
}

func TestEvaluateConditionOperators(t *testing.T) {
	sourceAccount := func(v string) map[string]string { return map[string]string{"aws:SourceAccount": v} }
	sourceARN := func(v string) map[string]string { return map[string]string{"aws:SourceArn": v} }
	tests := []struct {
		name      string
		condition string
		context   map[string]string
		want      Decision
	}{
		{"StringEquals any of several values", `{"StringEquals":{"aws:SourceAccount":["1","2"]}}`, sourceAccount("2"), Allow},
		{"StringEquals none of the values", `{"StringEquals":{"aws:SourceAccount":["1","2"]}}`, sourceAccount("3"), NotApplicable},
		{"StringEquals missing key", `{"StringEquals":{"aws:SourceAccount":"1"}}`, nil, NotApplicable},
		{"StringNotEquals different", `{"StringNotEquals":{"aws:SourceAccount":["1","2"]}}`, sourceAccount("3"), Allow},
		{"StringNotEquals equal to one value", `{"StringNotEquals":{"aws:SourceAccount":["1","2"]}}`, sourceAccount("2"), NotApplicable},
		{"StringNotEquals missing key", `{"StringNotEquals":{"aws:SourceAccount":"1"}}`, nil, Allow},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:SourceAccount":"Partner"}}`, sourceAccount("pARTNER"), Allow},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:SourceAccount":"Partner"}}`, sourceAccount("PARTNER"), NotApplicable},
		{"StringNotEqualsIgnoreCase missing key", `{"StringNotEqualsIgnoreCase":{"aws:SourceAccount":"Partner"}}`, nil, Allow},
		{"StringLike *", `{"StringLike":{"aws:SourceAccount":"part*"}}`, sourceAccount("partner-7"), Allow},
		{"StringLike ? is one character", `{"StringLike":{"aws:SourceAccount":"id-??"}}`, sourceAccount("id-123"), NotApplicable},
		{"StringLike ? on a multibyte character", `{"StringLike":{"aws:SourceAccount":"caf?"}}`, sourceAccount("café"), Allow},
		{"StringLike is case-sensitive", `{"StringLike":{"aws:SourceAccount":"Part*"}}`, sourceAccount("partner"), NotApplicable},
		{"StringNotLike", `{"StringNotLike":{"aws:SourceAccount":"test-*"}}`, sourceAccount("test-1"), NotApplicable},
		{"StringNotLike missing key", `{"StringNotLike":{"aws:SourceAccount":"test-*"}}`, nil, Allow},
		{"ArnEquals", `{"ArnEquals":{"aws:SourceArn":"` + exampleDashARN + `"}}`, sourceARN(exampleDashARN), Allow},
		{"ArnLike wildcard Region", `{"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:123456789012:dashboard/*"}}`, sourceARN(exampleDashARN), Allow},
		{"ArnLike wildcards stay within their field", `{"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:123456789012:dashboard/*"}}`,
			sourceARN("arn:aws:cloudtrail:us-east-1:111122223333:dashboard/x:123456789012:dashboard/y"), NotApplicable},
		{"StringLike wildcards cross fields", `{"StringLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:123456789012:dashboard/*"}}`,
			sourceARN("arn:aws:cloudtrail:us-east-1:111122223333:dashboard/x:123456789012:dashboard/y"), Allow},
		{"ArnLike on a value that is not an ARN", `{"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:*:*"}}`, sourceARN("dashboard/x"), NotApplicable},
		{"ArnNotLike", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:123456789012:*"}}`, sourceARN(exampleDashARN), NotApplicable},
		{"ArnNotEquals missing key", `{"ArnNotEquals":{"aws:SourceArn":"` + exampleDashARN + `"}}`, nil, Allow},
		{"IfExists with the key missing", `{"StringEqualsIfExists":{"aws:SourceAccount":"1"}}`, nil, Allow},
		{"IfExists with the key present", `{"StringEqualsIfExists":{"aws:SourceAccount":"1"}}`, sourceAccount("2"), NotApplicable},
		{"ArnLikeIfExists", `{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:cloudtrail:*:*:dashboard/*"}}`, sourceARN(exampleDashARN), Allow},
		{"Null true with the key missing", `{"Null":{"aws:SourceAccount":"true"}}`, nil, Allow},
		{"Null true with the key present", `{"Null":{"aws:SourceAccount":"true"}}`, sourceAccount("1"), NotApplicable},
		{"Null false with the key present", `{"Null":{"aws:SourceAccount":false}}`, sourceAccount("1"), Allow},
		{"Null false with the key missing", `{"Null":{"aws:SourceAccount":"False"}}`, nil, NotApplicable},
		{"ForAnyValue with the key missing", `{"ForAnyValue:StringEquals":{"aws:SourceAccount":"1"}}`, nil, NotApplicable},
		{"ForAnyValue with the key present", `{"ForAnyValue:StringEquals":{"aws:SourceAccount":"1"}}`, sourceAccount("1"), Allow},
		{"ForAnyValue negated with the key missing", `{"ForAnyValue:StringNotEquals":{"aws:SourceAccount":"1"}}`, nil, NotApplicable},
		{"ForAllValues with the key missing", `{"ForAllValues:StringEquals":{"aws:SourceAccount":"1"}}`, nil, Allow},
		{"ForAllValues with the key present", `{"ForAllValues:StringEquals":{"aws:SourceAccount":"1"}}`, sourceAccount("2"), NotApplicable},
		{"ForAllValues negated", `{"ForAllValues:StringNotLike":{"aws:SourceAccount":"1*"}}`, sourceAccount("2"), Allow},
		{"number as a value", `{"StringEquals":{"aws:SourceAccount":123456789012}}`, sourceAccount("123456789012"), Allow},
		{"boolean as a value", `{"StringEquals":{"aws:SecureTransport":true}}`, map[string]string{"aws:SecureTransport": "true"}, Allow},
		{"keys are ANDed", `{"StringEquals":{"aws:SourceAccount":"1","aws:SourceArn":"` + exampleDashARN + `"}}`, sourceAccount("1"), NotApplicable},
		{"keys are ANDed, all hold", `{"StringEquals":{"aws:SourceAccount":"1","aws:SourceArn":"` + exampleDashARN + `"}}`,
			map[string]string{"aws:SourceAccount": "1", "aws:SourceArn": exampleDashARN}, Allow},
		{"operators are ANDed", `{"StringEquals":{"aws:SourceAccount":"1"},"StringNotEquals":{"aws:SourceAccount":"1"}}`, sourceAccount("1"), NotApplicable},
		{"aws:PrincipalAccount comes from the caller", `{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`, nil, Allow},
		{"aws:PrincipalAccount in the context wins", `{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`,
			map[string]string{"aws:PrincipalAccount": "999999999999"}, NotApplicable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, withCondition(tc.condition), partnerChannel)
			got := p.Evaluate(putAuditEventsBy("arn:aws:iam::111122223333:user/alice", tc.context))
			if got != tc.want {
				t.Fatalf("Evaluate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEvaluateResourcePatterns(t *testing.T) {
	p := mustParse(t, policyWith(channelStatement(`"Resource":"arn:aws:cloudtrail:us-east-1:777777777777:channel/EXAMPLE-*"`)), partnerChannel)
	checkEvaluations(t, p, []evaluation{
		{"the channel", putAuditEventsBy("arn:aws:iam::111122223333:root", nil), Allow},
		{"another channel matching the pattern", Request{PrincipalARN: "arn:aws:iam::111122223333:root", Action: "cloudtrail-data:PutAuditEvents",
			Resource: "arn:aws:cloudtrail:us-east-1:777777777777:channel/EXAMPLE-2"}, Allow},
		{"a channel outside the pattern", Request{PrincipalARN: "arn:aws:iam::111122223333:root", Action: "cloudtrail-data:PutAuditEvents",
			Resource: "arn:aws:cloudtrail:us-east-1:777777777777:channel/prod"}, NotApplicable},
	})
}

func dashboardQuery(dashboard, account string) Request {
	return Request{PrincipalService: "cloudtrail.amazonaws.com", Action: "cloudtrail:StartQuery", Resource: dashboardOwnerEDS,
		Context: map[string]string{"aws:SourceArn": dashboard, "aws:SourceAccount": account}}
}

func TestEvaluateGuideEventDataStoreForDashboards(t *testing.T) {
	p := mustParse(t, guideEDSForDashboards, dashboardEDS)
	const dashboards = "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/"
	checkEvaluations(t, p, []evaluation{
		{"custom dashboard", dashboardQuery(dashboards+"example-dashboard1", "123456789012"), Allow},
		{"Highlights dashboard", dashboardQuery(dashboards+"AWSCloudTrail-Highlights", "123456789012"), Allow},
		{"unlisted dashboard", dashboardQuery(dashboards+"other", "123456789012"), NotApplicable},
		{"another account", dashboardQuery(dashboards+"example-dashboard1", "111122223333"), NotApplicable},
		{"no source ARN", Request{PrincipalService: "cloudtrail.amazonaws.com", Action: "cloudtrail:StartQuery", Resource: dashboardOwnerEDS,
			Context: map[string]string{"aws:SourceAccount": "123456789012"}}, NotApplicable},
		{"another event data store", Request{PrincipalService: "cloudtrail.amazonaws.com", Action: "cloudtrail:StartQuery",
			Resource: "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/other",
			Context:  map[string]string{"aws:SourceArn": dashboards + "example-dashboard1", "aws:SourceAccount": "123456789012"}}, NotApplicable},
		{"another action", Request{PrincipalService: "cloudtrail.amazonaws.com", Action: "cloudtrail:GetQueryResults", Resource: dashboardOwnerEDS,
			Context: map[string]string{"aws:SourceArn": dashboards + "example-dashboard1", "aws:SourceAccount": "123456789012"}}, NotApplicable},
		{"the owner is not the service", Request{PrincipalARN: "arn:aws:iam::123456789012:root", Action: "cloudtrail:StartQuery", Resource: dashboardOwnerEDS,
			Context: map[string]string{"aws:SourceArn": dashboards + "example-dashboard1", "aws:SourceAccount": "123456789012"}}, NotApplicable},
		{"another service", Request{PrincipalService: "events.amazonaws.com", Action: "cloudtrail:StartQuery", Resource: dashboardOwnerEDS,
			Context: map[string]string{"aws:SourceArn": dashboards + "example-dashboard1", "aws:SourceAccount": "123456789012"}}, NotApplicable},
	})

	cli := mustParse(t, cliEDSPolicy, dashboardEDS)
	checkEvaluations(t, cli, []evaluation{
		{"CLI policy: its dashboard", dashboardQuery(exampleDashARN, "123456789012"), Allow},
		{"CLI policy: another dashboard", dashboardQuery(dashboards+"other", "123456789012"), NotApplicable},
	})
}

func TestEvaluateGuideEventDataStoreCrossAccount(t *testing.T) {
	p := mustParse(t, guideEDSCrossAccount, crossAccount)
	query := func(principal, action string) Request {
		return Request{PrincipalARN: principal, Action: action, Resource: crossAccountEDS}
	}
	checkEvaluations(t, p, []evaluation{
		{"StartQuery", query("arn:aws:iam::111122223333:root", "cloudtrail:StartQuery"), Allow},
		{"GetQueryResults by a role session", query("arn:aws:sts::999999999999:assumed-role/Analyst/s", "cloudtrail:GetQueryResults"), Allow},
		{"GetEventDataStore", query("arn:aws:iam::777777777777:user/u", "cloudtrail:GetEventDataStore"), Allow},
		{"an action the policy does not list", query("arn:aws:iam::111122223333:root", "cloudtrail:CancelQuery"), NotApplicable},
		{"an unlisted account", query("arn:aws:iam::222222222222:root", "cloudtrail:StartQuery"), NotApplicable},
	})
}

func TestEvaluateGuideDashboard(t *testing.T) {
	p := mustParse(t, guideDashboard, exampleDash)
	refresh := func(source, account string) Request {
		return Request{PrincipalService: "cloudtrail.amazonaws.com", Action: "cloudtrail:StartDashboardRefresh", Resource: exampleDashARN,
			Context: map[string]string{"aws:SourceArn": source, "aws:SourceAccount": account}}
	}
	checkEvaluations(t, p, []evaluation{
		{"scheduled refresh", refresh(exampleDashARN, "123456789012"), Allow},
		{"refresh for another dashboard", refresh("arn:aws:cloudtrail:us-east-1:123456789012:dashboard/other", "123456789012"), NotApplicable},
		{"refresh for another account", refresh(exampleDashARN, "111122223333"), NotApplicable},
		{"the owner", Request{PrincipalARN: "arn:aws:iam::123456789012:root", Action: "cloudtrail:StartDashboardRefresh", Resource: exampleDashARN}, NotApplicable},
	})
}

func TestRequiresExternalID(t *testing.T) {
	tests := []struct {
		name     string
		document string
		resource Resource
		want     bool
	}{
		{"partner channel policy", partnerChannelPolicy, partnerChannel, true},
		{"guide external ID example", guideChannelExternalID, guideChannel, true},
		{"guide principals example", guideChannelPrincipals, guideChannel, false},
		{"any operator on the key", withCondition(`{"StringLike":{"CloudTrail:ExternalID":"partner-*"}}`), partnerChannel, true},
		{"only a Deny statement uses it", policyWith(channelStatement(""),
			`{"Effect":"Deny",`+partnerPrincipal+`,`+putAuditEvents+`,"Condition":{"StringNotEquals":{"cloudtrail:ExternalId":"ab"}}}`), partnerChannel, false},
		{"event data store", guideEDSCrossAccount, crossAccount, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustParse(t, tc.document, tc.resource).RequiresExternalID(); got != tc.want {
				t.Fatalf("RequiresExternalID = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"*", "", true},
		{"*", "anything", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*a*b*", "xxaxxbxx", true},
		{"*a*b", "xxbxxa", false},
		{"abc", "ABC", false},
		{"**?", "é", true},
	}
	for _, tc := range tests {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
