package policy

import (
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, tc := range documentedPolicies {
		f.Add(tc.document, uint8(tc.resource.Type), "arn:aws:iam::111122223333:root", "cloudtrail-data:PutAuditEvents", "UniqueExternalIDFromPartner", exampleDashARN)
	}
	f.Add(withCondition(`{"ForAllValues:StringNotLikeIfExists":{"aws:SourceArn":["*a?b*",1,true]},"Null":{"aws:x":"true"}}`),
		uint8(Channel), "arn:aws:sts::111122223333:assumed-role/R/s", "cloudtrail-data:PutAuditEvents", "", "arn:aws:cloudtrail:*:*:*")
	f.Add(`{"Version":"2008-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"cloudtrail:StartQuery","Resource":"*"}}`,
		uint8(EventDataStore), "arn:aws:iam::111122223333:user/u", "cloudtrail:StartQuery", "", "")
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/x"}}],"Statement":1}`,
		uint8(Dashboard), "", "", "", "")

	resources := map[uint8]Resource{
		uint8(Channel):        partnerChannel,
		uint8(EventDataStore): dashboardEDS,
		uint8(Dashboard):      exampleDash,
	}
	f.Fuzz(func(t *testing.T, document string, resourceType uint8, principalARN, action, externalIDValue, sourceARN string) {
		res, ok := resources[resourceType%3+1]
		if !ok {
			t.Fatalf("no resource for type %d", resourceType%3+1)
		}
		p, err := Parse(document, res)
		if err != nil {
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Parse returned %T %v, want a *ValidationError", err, err)
			}
			if err.Error() == "" {
				t.Fatal("Parse returned an empty error message")
			}
			return
		}
		requests := []Request{
			{PrincipalARN: principalARN, Action: action},
			{PrincipalARN: principalARN, Action: action, Resource: res.ARN, Context: map[string]string{
				"cloudtrail:ExternalId": externalIDValue, "aws:SourceArn": sourceARN, "aws:SourceAccount": res.OwnerAccount}},
			{PrincipalService: "cloudtrail.amazonaws.com", Action: action, Resource: sourceARN, Context: map[string]string{"AWS:SOURCEARN": sourceARN}},
			{PrincipalAccount: externalIDValue, Action: principalARN, Resource: principalARN},
		}
		for _, r := range requests {
			switch d := p.Evaluate(r); d {
			case NotApplicable, Allow, Deny:
			default:
				t.Fatalf("Evaluate returned %d", d)
			}
		}
		p.RequiresExternalID()
	})
}
