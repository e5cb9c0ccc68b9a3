package recorder

import (
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/events"
)

// appendRecord appends r's JSON exactly as r.MarshalJSON writes it when
// Raw is empty (encoding/json over the fields, eventTime in whole UTC
// seconds), in one pass without reflection. JSON-valued fields are copied
// as they are: they must be compact and escaped as encoding/json escapes
// (what this package and encoding/json produce). ok is false for the one
// case it leaves to encoding/json, an event time outside years 0 to 9999.
//
// TestAppendRecord_MatchesEncodingJSON fills every field of events.Record
// by reflection, so a field added to Record fails it until it is added
// here.
func appendRecord(b []byte, r *events.Record) (_ []byte, ok bool) {
	t := r.EventTime.UTC().Truncate(time.Second)
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	b = append(b, '{')
	b = appendStringField(b, `"eventVersion":`, r.EventVersion)
	if u := r.UserIdentity; u != nil {
		b = api.AppendJSONKey(b, `"userIdentity":`)
		b = appendUserIdentity(b, u)
	}
	b = api.AppendJSONKey(b, `"eventTime":"`)
	b = t.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = appendStringField(b, `"eventSource":`, r.EventSource)
	b = appendStringField(b, `"eventName":`, r.EventName)
	b = appendStringField(b, `"awsRegion":`, r.AWSRegion)
	b = appendStringField(b, `"sourceIPAddress":`, r.SourceIPAddress)
	b = appendStringField(b, `"userAgent":`, r.UserAgent)
	b = appendStringField(b, `"errorCode":`, r.ErrorCode)
	b = appendStringField(b, `"errorMessage":`, r.ErrorMessage)
	b = appendRawField(b, `"requestParameters":`, r.RequestParameters)
	b = appendRawField(b, `"responseElements":`, r.ResponseElements)
	b = appendRawField(b, `"additionalEventData":`, r.AdditionalEventData)
	b = appendStringField(b, `"requestID":`, r.RequestID)
	b = appendStringField(b, `"eventID":`, r.EventID)
	b = appendBoolField(b, `"readOnly":`, r.ReadOnly)
	if len(r.Resources) > 0 {
		b = api.AppendJSONKey(b, `"resources":`)
		b = append(b, '[')
		for i := range r.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			res := &r.Resources[i]
			b = append(b, '{')
			b = appendStringField(b, `"ARN":`, res.ARN)
			b = appendStringField(b, `"ARNPrefix":`, res.ARNPrefix)
			b = appendStringField(b, `"accountId":`, res.AccountID)
			b = appendStringField(b, `"type":`, res.Type)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendStringField(b, `"eventType":`, r.EventType)
	b = appendStringField(b, `"apiVersion":`, r.APIVersion)
	b = appendBoolField(b, `"managementEvent":`, r.ManagementEvent)
	b = appendStringField(b, `"recipientAccountId":`, r.RecipientAccountID)
	b = appendRawField(b, `"serviceEventDetails":`, r.ServiceEventDetails)
	b = appendStringField(b, `"sharedEventID":`, r.SharedEventID)
	b = appendStringField(b, `"vpcEndpointId":`, r.VPCEndpointID)
	b = appendStringField(b, `"vpcEndpointAccountId":`, r.VPCEndpointAccountID)
	b = appendStringField(b, `"annotation":`, r.Annotation)
	b = appendStringField(b, `"eventCategory":`, r.EventCategory)
	b = appendRawField(b, `"addendum":`, r.Addendum)
	b = appendStringField(b, `"sessionCredentialFromConsole":`, r.SessionCredentialFromConsole)
	b = appendRawField(b, `"edgeDeviceDetails":`, r.EdgeDeviceDetails)
	if d := r.TLSDetails; d != nil {
		b = api.AppendJSONKey(b, `"tlsDetails":`)
		b = append(b, '{')
		b = appendStringField(b, `"tlsVersion":`, d.TLSVersion)
		b = appendStringField(b, `"cipherSuite":`, d.CipherSuite)
		b = appendStringField(b, `"clientProvidedHostHeader":`, d.ClientProvidedHostHeader)
		b = append(b, '}')
	}
	b = appendRawField(b, `"insightDetails":`, r.InsightDetails)
	b = appendRawField(b, `"eventContext":`, r.EventContext)
	return append(b, '}'), true
}

func appendUserIdentity(b []byte, u *events.UserIdentity) []byte {
	b = append(b, '{')
	b = appendStringField(b, `"type":`, u.Type)
	b = appendStringField(b, `"principalId":`, u.PrincipalID)
	b = appendStringField(b, `"arn":`, u.ARN)
	b = appendStringField(b, `"accountId":`, u.AccountID)
	b = appendStringField(b, `"accessKeyId":`, u.AccessKeyID)
	b = appendStringField(b, `"userName":`, u.UserName)
	if sc := u.SessionContext; sc != nil {
		b = api.AppendJSONKey(b, `"sessionContext":`)
		b = append(b, '{')
		if si := sc.SessionIssuer; si != nil {
			b = api.AppendJSONKey(b, `"sessionIssuer":`)
			b = append(b, '{')
			b = appendStringField(b, `"type":`, si.Type)
			b = appendStringField(b, `"principalId":`, si.PrincipalID)
			b = appendStringField(b, `"arn":`, si.ARN)
			b = appendStringField(b, `"accountId":`, si.AccountID)
			b = appendStringField(b, `"userName":`, si.UserName)
			b = append(b, '}')
		}
		if w := sc.WebIDFederationData; w != nil {
			b = api.AppendJSONKey(b, `"webIdFederationData":`)
			b = append(b, '{')
			b = appendStringField(b, `"federatedProvider":`, w.FederatedProvider)
			if len(w.Attributes) > 0 {
				b = api.AppendJSONKey(b, `"attributes":`)
				b = append(b, '{')
				for i, k := range api.SortedKeys(w.Attributes) {
					if i > 0 {
						b = append(b, ',')
					}
					b = api.AppendJSONString(b, k)
					b = append(b, ':')
					b = api.AppendJSONString(b, w.Attributes[k])
				}
				b = append(b, '}')
			}
			b = append(b, '}')
		}
		if a := sc.Attributes; a != nil {
			b = api.AppendJSONKey(b, `"attributes":`)
			b = append(b, '{')
			b = appendStringField(b, `"creationDate":`, a.CreationDate)
			b = appendStringField(b, `"mfaAuthenticated":`, a.MFAAuthenticated)
			b = append(b, '}')
		}
		b = appendStringField(b, `"sourceIdentity":`, sc.SourceIdentity)
		b = appendStringField(b, `"ec2RoleDelivery":`, sc.EC2RoleDelivery)
		b = appendStringField(b, `"ec2IssuedInVpc":`, sc.EC2IssuedInVPC)
		b = appendStringField(b, `"assumedRoot":`, sc.AssumedRoot)
		b = append(b, '}')
	}
	b = appendStringField(b, `"invokedBy":`, u.InvokedBy)
	if d := u.InvokedByDelegate; d != nil {
		b = api.AppendJSONKey(b, `"invokedByDelegate":`)
		b = append(b, '{')
		b = appendStringField(b, `"accountId":`, d.AccountID)
		b = append(b, '}')
	}
	if o := u.OnBehalfOf; o != nil {
		b = api.AppendJSONKey(b, `"onBehalfOf":`)
		b = append(b, '{')
		b = appendStringField(b, `"userId":`, o.UserID)
		b = appendStringField(b, `"identityStoreArn":`, o.IdentityStoreARN)
		b = append(b, '}')
	}
	if s := u.InScopeOf; s != nil {
		b = api.AppendJSONKey(b, `"inScopeOf":`)
		b = append(b, '{')
		b = appendStringField(b, `"sourceArn":`, s.SourceARN)
		b = appendStringField(b, `"sourceAccount":`, s.SourceAccount)
		b = appendStringField(b, `"issuerType":`, s.IssuerType)
		b = appendStringField(b, `"credentialsIssuedTo":`, s.CredentialsIssuedTo)
		b = append(b, '}')
	}
	b = appendStringField(b, `"credentialId":`, u.CredentialID)
	b = appendStringField(b, `"identityProvider":`, u.IdentityProvider)
	return append(b, '}')
}

// appendStringField appends an omitempty string member.
func appendStringField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	b = api.AppendJSONKey(b, key)
	return api.AppendJSONString(b, v)
}

// appendRawField appends an omitempty JSON-valued member.
func appendRawField(b []byte, key string, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	b = api.AppendJSONKey(b, key)
	return append(b, v...)
}

// appendBoolField appends an omitempty *bool member.
func appendBoolField(b []byte, key string, v *bool) []byte {
	if v == nil {
		return b
	}
	b = api.AppendJSONKey(b, key)
	if *v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}
