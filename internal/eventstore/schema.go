package eventstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cairnhq/cairn/internal/events"
)

// Column types shared by several columns.
const (
	mapType      = "MAP(VARCHAR, VARCHAR)"
	issuerType   = "STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR)"
	identityType = "STRUCT(" +
		"type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, accessKeyId VARCHAR, userName VARCHAR, " +
		"sessionContext STRUCT(" +
		"attributes STRUCT(creationDate TIMESTAMP, mfaAuthenticated VARCHAR), " +
		"sessionIssuer " + issuerType + ", " +
		"webIdFederationData STRUCT(federatedProvider VARCHAR, attributes " + mapType + "), " +
		"sourceIdentity VARCHAR, ec2RoleDelivery VARCHAR, ec2IssuedInVpc VARCHAR), " +
		"onBehalfOf STRUCT(userId VARCHAR, identityStoreArn VARCHAR), " +
		"inScopeOf STRUCT(sourceArn VARCHAR, sourceAccount VARCHAR, issuerType VARCHAR, credentialsIssuedTo VARCHAR), " +
		"invokedBy VARCHAR, identityProvider VARCHAR)"
	resourcesType = "STRUCT(accountId VARCHAR, type VARCHAR, ARN VARCHAR, ARNPrefix VARCHAR)[]"
	tlsType       = "STRUCT(tlsVersion VARCHAR, cipherSuite VARCHAR, clientProvidedHostHeader VARCHAR)"
)

// column is one column of a table.
type column struct {
	name, typ string
}

// logColumns are the columns of a log segment: what the committer appends.
// They hold what event history and consumers need without decoding JSON,
// plus the record itself.
var logColumns = []column{
	{"seq", "BIGINT NOT NULL"},           // store-wide, increasing, never reused
	{"ingestTime", "TIMESTAMP NOT NULL"}, // when the store accepted the event
	{"scopeAccount", "VARCHAR NOT NULL"}, // recipientAccountId, else userIdentity.accountId
	{"scopeRegion", "VARCHAR NOT NULL"},  // awsRegion
	{"historyKind", "UTINYINT NOT NULL"}, // kindOther, kindManagement or kindInsight
	{"lookupUsername", "VARCHAR"},        // events.Record.Username
	{"lookupAccessKeyId", "VARCHAR"},     // userIdentity.accessKeyId
	{"lookupResourceTypes", "VARCHAR"},   // events.Record.LookupResourceList types, newline-separated
	{"lookupResourceNames", "VARCHAR"},   // and names, position by position
	{"eventTime", "TIMESTAMP NOT NULL"},
	{"eventID", "VARCHAR"},
	{"eventName", "VARCHAR"},
	{"eventSource", "VARCHAR"},
	{"readOnly", "BOOLEAN"},
	// BLOB, not VARCHAR: DuckDB validates and gathers statistics over
	// every character of a VARCHAR as it commits, which for 1 KB records
	// is the largest single cost of an append. Readers decode() it.
	// Uncompressed: a log segment lives until compaction, and analysing
	// the records for compression made checkpoints (which block appends)
	// about a third slower under sustained ingestion.
	{"eventJson", "BLOB NOT NULL USING COMPRESSION uncompressed"},
}

// colEventTime is the position of eventTime in logColumns (and a row).
const colEventTime = 9

// internalColumns are the first columns of a partition table, copied from
// the log; the Lake columns follow.
var internalColumns = logColumns[:9]

// lakeColumns are the CloudTrail events schema of Lake, in its order. Each
// has its type and how compaction fills it: from the log column of the
// same name, or (from == "") from the decoded record, field name.
var lakeColumns = []struct {
	column
	json string // the record's key; "" when the value comes from the log
}{
	{column{"eventVersion", "VARCHAR"}, "eventVersion"},
	{column{"userIdentity", identityType}, "userIdentity"},
	{column{"eventTime", "TIMESTAMP NOT NULL"}, ""},
	{column{"eventSource", "VARCHAR"}, ""},
	{column{"eventName", "VARCHAR"}, ""},
	{column{"awsRegion", "VARCHAR"}, "awsRegion"},
	{column{"sourceIPAddress", "VARCHAR"}, "sourceIPAddress"},
	{column{"userAgent", "VARCHAR"}, "userAgent"},
	{column{"errorCode", "VARCHAR"}, "errorCode"},
	{column{"errorMessage", "VARCHAR"}, "errorMessage"},
	{column{"requestParameters", mapType}, "requestParameters"},
	{column{"responseElements", mapType}, "responseElements"},
	{column{"additionalEventData", mapType}, "additionalEventData"},
	{column{"requestID", "VARCHAR"}, "requestID"},
	{column{"eventID", "VARCHAR"}, ""},
	{column{"readOnly", "BOOLEAN"}, ""},
	{column{"resources", resourcesType}, "resources"},
	{column{"eventType", "VARCHAR"}, "eventType"},
	{column{"apiVersion", "VARCHAR"}, "apiVersion"},
	{column{"managementEvent", "BOOLEAN"}, "managementEvent"},
	{column{"recipientAccountId", "VARCHAR"}, "recipientAccountId"},
	{column{"sharedEventID", "VARCHAR"}, "sharedEventID"},
	{column{"annotation", "VARCHAR"}, "annotation"},
	{column{"vpcEndpointId", "VARCHAR"}, "vpcEndpointId"},
	{column{"vpcEndpointAccountId", "VARCHAR"}, "vpcEndpointAccountId"},
	{column{"serviceEventDetails", mapType}, "serviceEventDetails"},
	{column{"addendum", mapType}, "addendum"},
	{column{"edgeDeviceDetails", mapType}, "edgeDeviceDetails"},
	{column{"insightDetails", mapType}, "insightDetails"},
	{column{"eventCategory", "VARCHAR"}, "eventCategory"},
	{column{"tlsDetails", tlsType}, "tlsDetails"},
	{column{"sessionCredentialFromConsole", "VARCHAR"}, "sessionCredentialFromConsole"},
	// Stored uncompressed: a compressed string column decodes a whole
	// vector to return one value, which makes fetching a page of events
	// scattered over months ten times slower.
	{column{"eventJson", "VARCHAR NOT NULL USING COMPRESSION uncompressed"}, ""},
}

// History kinds, the historyKind column.
const (
	kindOther      uint8 = 0 // data and network activity events
	kindManagement uint8 = 1
	kindInsight    uint8 = 2
)

// LakeColumns lists the columns of the CloudTrail events schema, in order:
// what a Lake query over the store sees.
func LakeColumns() []string {
	out := make([]string, len(lakeColumns))
	for i, c := range lakeColumns {
		out[i] = c.name
	}
	return out
}

func createTableSQL(table string, cols []column) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (", table)
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q %s", c.name, c.typ)
	}
	b.WriteString(")")
	return b.String()
}

func partitionColumns() []column {
	cols := slices.Clone(internalColumns)
	for _, c := range lakeColumns {
		cols = append(cols, c.column)
	}
	return cols
}

// compactSQL moves the events of one month from a log segment into its
// partition, decoding each record once with DuckDB's json_transform into
// the Lake columns' types.
func compactSQL(log string, month int) string {
	return fmt.Sprintf("INSERT INTO %s %s WHERE %s", tableName(month), segmentSelectSQL(log), monthWhere(month))
}

// segmentSelectSQL reads a log segment with the columns of a partition:
// its own columns, and the Lake columns decoded from eventJson.
func segmentSelectSQL(log string) string {
	var spec strings.Builder
	spec.WriteString("{")
	first := true
	for _, c := range lakeColumns {
		if c.json == "" {
			continue
		}
		if !first {
			spec.WriteString(",")
		}
		first = false
		fmt.Fprintf(&spec, "%q:%s", c.json, jsonSpec(c.typ))
	}
	spec.WriteString("}")
	var sel []string
	for _, c := range internalColumns {
		sel = append(sel, fmt.Sprintf("%q", c.name))
	}
	for _, c := range lakeColumns {
		if c.name == "eventJson" {
			sel = append(sel, `decode("eventJson") AS "eventJson"`)
		} else if c.json == "" {
			sel = append(sel, fmt.Sprintf("%q", c.name))
		} else {
			sel = append(sel, fmt.Sprintf("j.%q AS %q", c.json, c.name))
		}
	}
	return fmt.Sprintf(`SELECT %s FROM (SELECT *, json_transform(decode(eventJson), '%s') AS j FROM %s)`,
		strings.Join(sel, ", "), spec.String(), log)
}

// monthWhere selects the events of partition month m.
func monthWhere(m int) string {
	from, to := monthStart(m), monthStart(m).AddDate(0, 1, 0)
	return fmt.Sprintf("eventTime >= '%s' AND eventTime < '%s'", from.Format("2006-01-02 15:04:05"), to.Format("2006-01-02 15:04:05"))
}

// jsonSpec turns a column type into a json_transform structure, keeping
// the record's own key names (struct field names are the JSON keys).
func jsonSpec(typ string) string {
	typ = strings.TrimSuffix(typ, " NOT NULL")
	if strings.HasSuffix(typ, "[]") {
		return "[" + jsonSpec(strings.TrimSuffix(typ, "[]")) + "]"
	}
	if !strings.HasPrefix(typ, "STRUCT(") {
		return fmt.Sprintf("%q", typ)
	}
	fields := splitTopLevel(typ[len("STRUCT(") : len(typ)-1])
	var b strings.Builder
	b.WriteString("{")
	for i, f := range fields {
		name, ftyp, _ := strings.Cut(strings.TrimSpace(f), " ")
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q:%s", name, jsonSpec(ftyp))
	}
	b.WriteString("}")
	return b.String()
}

// splitTopLevel splits a comma-separated list at commas outside
// parentheses.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// toLogRow converts a record into its log row, without its sequence
// number, which the committer assigns, and appends the record's lookup
// index keys to keys. It runs in the appending goroutine, so that
// concurrent writers convert in parallel and the committer only copies.
func toLogRow(r *events.Record, ingested time.Time, keys []uint64) (logRow, []uint64, error) {
	raw, err := r.JSON()
	if err != nil {
		return logRow{}, keys, fmt.Errorf("encoding event %s: %w", r.EventID, err)
	}
	if r.EventTime.IsZero() {
		return logRow{}, keys, fmt.Errorf("event %s has no eventTime", r.EventID)
	}
	// Compaction decodes every stored record: one that is not JSON would
	// stop it. Encoded records are valid by construction; Raw is checked.
	// A record whose Raw Parse produced was checked then.
	if !r.RawChecked() {
		if len(r.Raw) > 0 && !json.Valid(raw) {
			return logRow{}, keys, fmt.Errorf("event %s: Raw is not valid JSON", r.EventID)
		}
		if !utf8.Valid(raw) {
			return logRow{}, keys, fmt.Errorf("event %s is not valid UTF-8", r.EventID)
		}
	}
	v := valuesOf(r)
	if v.account == "" {
		return logRow{}, keys, fmt.Errorf("event %s has neither recipientAccountId nor userIdentity.accountId", r.EventID)
	}
	v.types, v.names = lookupResources(r.LookupResourceList())
	return logRow{ingest: ingested, eventTime: r.EventTime.UTC(), v: v, json: raw}, v.keys(keys), nil
}

// valuesOf is what the lookup index holds of a record, but for its lookup
// resources (which a stored record does not carry: see lookupResources).
func valuesOf(r *events.Record) lookupValues {
	v := lookupValues{
		account: r.RecipientAccountID, region: r.AWSRegion, kind: kindOther,
		eventID: r.EventID, eventName: r.EventName, eventSource: r.EventSource,
		readOnly: -1, username: r.Username(), accessKeyID: r.AccessKeyID(),
	}
	if v.account == "" && r.UserIdentity != nil {
		v.account = r.UserIdentity.AccountID
	}
	switch {
	case r.IsInsight():
		v.kind = kindInsight
	case r.IsManagement():
		v.kind = kindManagement
	}
	if r.ReadOnly != nil {
		v.readOnly = 0
		if *r.ReadOnly {
			v.readOnly = 1
		}
	}
	return v
}

// str maps an absent string to NULL. The appender needs an untyped nil.
func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// lookupResources joins the types and the names with newlines: lists cost
// the appender and the tables far more than strings do.
func lookupResources(list []events.LookupResource) (types, names string) {
	if len(list) == 0 {
		return "", ""
	}
	ts, ns := make([]string, len(list)), make([]string, len(list))
	for i, r := range list {
		ts[i], ns[i] = r.Type, r.Name
	}
	return strings.Join(ts, "\n"), strings.Join(ns, "\n")
}

// monthOf is the partition key of an event time: year*100 + month, UTC.
func monthOf(t time.Time) int {
	t = t.UTC()
	return t.Year()*100 + int(t.Month())
}

// monthStart is the first instant of partition month m.
func monthStart(m int) time.Time {
	return time.Date(m/100, time.Month(m%100), 1, 0, 0, 0, 0, time.UTC)
}

// jsonExpr reads eventJson as text from a table: log segments keep it as
// a BLOB.
func jsonExpr(table string) string {
	if strings.HasPrefix(table, "log_") {
		return "decode(eventJson) AS eventJson"
	}
	return "eventJson"
}

func tableName(m int) string { return fmt.Sprintf("events_%06d", m) }

func logName(n int) string { return fmt.Sprintf("log_%09d", n) }
