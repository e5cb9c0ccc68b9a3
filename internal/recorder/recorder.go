// Package recorder turns every API call Cairn serves into the CloudTrail
// management event AWS would write for it, and appends it before the
// response is sent: on the disk for calls that change something, written
// so that it survives kill -9 (and on the disk moments later) for
// read-only ones. It implements the gateway's Observer.
//
// Records follow the CloudTrail record format (eventVersion 1.11):
// userIdentity from the authenticated principal, requestParameters with
// AWS's lower-camel-case member names, responseElements for successful
// mutating calls (null for reads and failures), errorCode and errorMessage
// for failures, the request ID returned to the client, and the resources
// the call names. LookupEvents itself is not recorded, as on AWS.
package recorder

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtraildata"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/gateway"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/ids"
)

// EventVersion is the record format version Cairn writes.
const EventVersion = "1.11"

// Field size limits from the record format.
const (
	maxUserAgent    = 1024
	maxErrorField   = 1024
	maxParamsObject = 100 * 1024
)

// Appender stores records durably. When Append returns nil they are on the
// disk; when AppendWritten returns nil they survive the process's crash
// (kill -9) and reach the disk moments later.
type Appender interface {
	Append(ctx context.Context, records []events.Record) error
	AppendWritten(ctx context.Context, records []events.Record) error
}

// Recorder is a gateway.Observer.
type Recorder struct {
	appender Appender
	// syncReads waits for the disk for read-only calls' records too.
	syncReads bool
	// eventSources maps a gateway service name to its eventSource.
	eventSources map[string]string
}

var _ gateway.Observer = (*Recorder)(nil)

// New returns a Recorder appending to a. The records of calls that change
// something are acknowledged on the disk, like the change itself; those
// of read-only calls once written, unless syncReads is set.
func New(a Appender, syncReads bool) *Recorder {
	return &Recorder{appender: a, syncReads: syncReads, eventSources: map[string]string{
		"cloudtrail":      "cloudtrail.amazonaws.com",
		"cloudtrail-data": "cloudtrail-data.amazonaws.com",
	}}
}

// unrecorded operations: reading the event history is not itself an event.
var unrecorded = map[string]bool{"LookupEvents": true}

// ObserveCall records c and returns once the record is durable.
func (r *Recorder) ObserveCall(ctx context.Context, c *gateway.Call) error {
	if unrecorded[c.Operation] || c.Caller == nil {
		return nil
	}
	rec, err := r.Build(c)
	if err != nil {
		return err
	}
	return r.append(ctx, rec)
}

func (r *Recorder) append(ctx context.Context, rec events.Record) error {
	if rec.ReadOnly != nil && *rec.ReadOnly && !r.syncReads {
		return r.appender.AppendWritten(ctx, []events.Record{rec})
	}
	return r.appender.Append(ctx, []events.Record{rec})
}

// Build makes the record of one call. The record's JSON is encoded once,
// here, into Raw, which the journal and the event store then keep as they
// are.
func (r *Recorder) Build(c *gateway.Call) (events.Record, error) {
	caller := c.Caller
	readOnly := IsReadOnly(c.Operation)
	rec := events.Record{
		EventVersion:       EventVersion,
		UserIdentity:       userIdentity(caller.Principal),
		EventTime:          caller.Received.UTC().Truncate(time.Second),
		EventSource:        r.eventSources[c.Service],
		EventName:          c.Operation,
		AWSRegion:          caller.Region,
		SourceIPAddress:    caller.SourceIP,
		UserAgent:          truncate(caller.UserAgent, maxUserAgent),
		RequestID:          caller.RequestID,
		EventID:            ids.NewUUID(),
		ReadOnly:           boolPtr(readOnly),
		EventType:          "AwsApiCall",
		ManagementEvent:    boolPtr(true),
		RecipientAccountID: caller.Principal.AccountID,
		EventCategory:      events.CategoryManagement,
		RequestParameters:  events.Null,
		ResponseElements:   events.Null,
	}
	if caller.TLS != nil {
		rec.TLSDetails = &events.TLSDetails{
			TLSVersion:               caller.TLS.TLSVersion,
			CipherSuite:              caller.TLS.CipherSuite,
			ClientProvidedHostHeader: caller.TLS.ClientProvidedHostHeader,
		}
	}
	// One buffer holds the parameters, the response elements and then the
	// record, which copies them.
	buf := make([]byte, 0, recordBufSize)
	var err error
	if put, ok := c.Input.(*cloudtraildata.PutAuditEventsRequest); ok {
		return r.buildPutAuditEvents(rec, buf, c, put)
	}
	if c.Input != nil {
		var params []byte
		if buf, params, err = appendParams(buf, c.Input); err != nil {
			return events.Record{}, err
		}
		if len(params) <= maxParamsObject {
			rec.RequestParameters = params
		}
	}
	if c.Err != nil {
		rec.ErrorCode = truncate(c.Err.ErrorCode(), maxErrorField)
		rec.ErrorMessage = truncate(c.Err.ErrorMessage(), maxErrorField)
	} else if !readOnly && c.Output != nil {
		var elements []byte
		if buf, elements, err = appendParams(buf, c.Output); err != nil {
			return events.Record{}, err
		}
		if len(elements) <= maxParamsObject {
			rec.ResponseElements = elements
		}
	}
	rec.Resources, rec.LookupResources = resourcesOf(c, caller)
	if err := setRaw(&rec, buf); err != nil {
		return events.Record{}, err
	}
	return rec, nil
}

// recordBufSize is the initial capacity of a record's buffer: enough for
// the record of a typical call in one allocation.
const recordBufSize = 1536

// appendParams appends v's JSON as requestParameters and responseElements
// carry it and returns the extended buffer and the appended bytes.
// Generated API structures encode themselves; anything else goes through
// encoding/json.
func appendParams(buf []byte, v any) ([]byte, json.RawMessage, error) {
	start := len(buf)
	if enc, ok := v.(api.EventJSONAppender); ok {
		buf = enc.AppendEventJSON(buf)
	} else {
		raw, err := camelCaseJSON(v)
		if err != nil {
			return buf, nil, err
		}
		buf = append(buf, raw...)
	}
	return buf, buf[start:len(buf):len(buf)], nil
}

// setRaw encodes rec into Raw, appending to buf.
func setRaw(rec *events.Record, buf []byte) error {
	start := len(buf)
	buf, ok := appendRecord(buf, rec)
	if !ok {
		raw, err := rec.MarshalJSON()
		if err != nil {
			return err
		}
		rec.SetEncodedRaw(raw)
		return nil
	}
	rec.SetEncodedRaw(buf[start:len(buf):len(buf)])
	return nil
}

var (
	trueValue  = true
	falseValue = false
)

// boolPtr returns a shared pointer to b: records never change ReadOnly or
// ManagementEvent in place.
func boolPtr(b bool) *bool {
	if b {
		return &trueValue
	}
	return &falseValue
}

// IsReadOnly classifies an operation as AWS does for readOnly: the Get,
// List, Describe, Lookup and Search operations only read.
func IsReadOnly(operation string) bool {
	for _, prefix := range []string{"Get", "List", "Describe", "Lookup", "Search"} {
		if strings.HasPrefix(operation, prefix) {
			return true
		}
	}
	return false
}

func userIdentity(p identity.Principal) *events.UserIdentity {
	u := &events.UserIdentity{
		Type:        string(p.Type),
		PrincipalID: p.PrincipalID,
		ARN:         p.ARN,
		AccountID:   p.AccountID,
		AccessKeyID: p.AccessKeyID,
	}
	switch p.Type {
	case identity.PrincipalIAMUser:
		u.UserName = p.UserName
	case identity.PrincipalAssumedRole:
		issuerID := p.PrincipalID
		if i := strings.IndexByte(issuerID, ':'); i >= 0 {
			issuerID = issuerID[:i]
		}
		u.SessionContext = &events.SessionContext{
			SessionIssuer: &events.SessionIssuer{
				Type:        "Role",
				PrincipalID: issuerID,
				ARN:         p.RoleARN,
				AccountID:   p.AccountID,
				UserName:    p.RoleName,
			},
			Attributes: &events.SessionAttributes{MFAAuthenticated: "false"},
		}
	}
	return u
}

// camelCaseJSON encodes a value with the member names AWS uses inside event
// records: the names encoding/json writes, with a lower-case first letter
// (S3BucketName becomes s3BucketName, TrailARN trailARN), at every level.
// Generated API structures encode themselves in one pass instead
// (api.EventJSONAppender); this is the path for anything else.
func camelCaseJSON(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	return json.Marshal(lowerKeys(tree))
}

func lowerKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, child := range t {
			out[lowerFirst(k)] = lowerKeys(child)
		}
		return out
	case []any:
		for i, child := range t {
			t[i] = lowerKeys(child)
		}
	}
	return v
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	return s[:limit]
}

// buildPutAuditEvents makes the record of a PutAuditEvents call. AWS logs
// it as a data event on the channel (resources.type
// AWS::CloudTrail::Channel), not a management event. Its requestParameters
// name the channel and external ID; the audit events themselves are stored
// in the channel's event data stores, so the record does not copy them.
func (r *Recorder) buildPutAuditEvents(rec events.Record, buf []byte, c *gateway.Call, in *cloudtraildata.PutAuditEventsRequest) (events.Record, error) {
	rec.ManagementEvent = boolPtr(false)
	rec.EventCategory = events.CategoryData
	rec.ReadOnly = boolPtr(false)
	params := struct {
		ChannelArn *string `json:"channelArn,omitempty"`
		ExternalID *string `json:"externalId,omitempty"`
	}{in.ChannelArn, in.ExternalId}
	encoded, err := json.Marshal(params)
	if err != nil {
		return events.Record{}, err
	}
	start := len(buf)
	buf = append(buf, encoded...)
	rec.RequestParameters = buf[start:]
	if c.Err != nil {
		rec.ErrorCode = truncate(c.Err.ErrorCode(), maxErrorField)
		rec.ErrorMessage = truncate(c.Err.ErrorMessage(), maxErrorField)
	}
	rec.Resources, rec.LookupResources = resourcesOf(c, c.Caller)
	if err := setRaw(&rec, buf); err != nil {
		return events.Record{}, err
	}
	return rec, nil
}
