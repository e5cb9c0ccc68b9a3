package lake

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/policy"
	"github.com/cairnhq/cairn/internal/selectorrules"
	"github.com/cairnhq/cairn/internal/store"
)

// Relation is an event data store as Lake queries read it.
type Relation struct {
	ARN, ID, Account, Region string
	// Kind is the store's kind: "CloudTrail" or the single category of
	// other stores (ActivityAuditLog, ...).
	Kind string
	// SQL returns the store's rows as a parenthesized query over events,
	// the event store's relation of every event (eventstore.Store.Query):
	// the store's columns, named in Lake's lower case, of the events its
	// ingestion windows hold, within its retention period, as of the
	// moment the relation was resolved.
	SQL func(events string) string
	// StatsSQL returns a parenthesized query over events with one row: n,
	// the number of those events, and b, the bytes of their records.
	StatsSQL func(events string) string
}

// lakeColumns are the CloudTrail events schema's columns, as queries name
// them, with the event store column (or expression) each reads.
var lakeColumns = []struct{ name, expr string }{
	{"eventversion", `"eventVersion"`},
	{"useridentity", `"userIdentity"`},
	{"eventtime", `"eventTime"`},
	{"eventsource", `"eventSource"`},
	{"eventname", `"eventName"`},
	{"awsregion", `"awsRegion"`},
	{"sourceipaddress", `"sourceIPAddress"`},
	{"useragent", `"userAgent"`},
	{"errorcode", `"errorCode"`},
	{"errormessage", `"errorMessage"`},
	{"requestparameters", `"requestParameters"`},
	{"responseelements", `"responseElements"`},
	{"additionaleventdata", `"additionalEventData"`},
	{"requestid", `"requestID"`},
	{"eventid", `"eventID"`},
	{"readonly", `"readOnly"`},
	{"resources", `"resources"`},
	{"eventtype", `"eventType"`},
	{"apiversion", `"apiVersion"`},
	{"managementevent", `"managementEvent"`},
	{"recipientaccountid", `"recipientAccountId"`},
	{"sharedeventid", `"sharedEventID"`},
	{"annotation", `"annotation"`},
	{"vpcendpointid", `"vpcEndpointId"`},
	{"vpcendpointaccountid", `"vpcEndpointAccountId"`},
	{"serviceeventdetails", `"serviceEventDetails"`},
	{"addendum", `"addendum"`},
	{"edgedevicedetails", `"edgeDeviceDetails"`},
	{"insightdetails", `"insightDetails"`},
	{"eventcategory", `"eventCategory"`},
	{"tlsdetails", `"tlsDetails"`},
	{"sessioncredentialfromconsole", `"sessionCredentialFromConsole"`},
	{"eventjson", `"eventJson"`},
	// Lake documents eventJsonChecksum without saying how it is computed;
	// Cairn gives the SHA-256 of eventJson, in hex.
	{"eventjsonchecksum", `sha256("eventJson")`},
}

// activityTransform decodes the columns of an ActivityAuditLog store
// (events from channels) from the stored record.
const activityTransform = `json_transform("eventJson", '{` +
	`"addendum":{"reason":"VARCHAR","updatedFields":"VARCHAR","originalUID":"VARCHAR","originalEventID":"VARCHAR"},` +
	`"metadata":{"ingestionTime":"VARCHAR","channelARN":"VARCHAR"},` +
	`"eventData":{"version":"VARCHAR","userIdentity":{"type":"VARCHAR","principalId":"VARCHAR","details":"MAP(VARCHAR, VARCHAR)"},` +
	`"userAgent":"VARCHAR","eventSource":"VARCHAR","eventName":"VARCHAR","eventTime":"VARCHAR","UID":"VARCHAR",` +
	`"requestParameters":"MAP(VARCHAR, VARCHAR)","responseElements":"MAP(VARCHAR, VARCHAR)","errorCode":"VARCHAR",` +
	`"errorMessage":"VARCHAR","sourceIPAddress":"VARCHAR","recipientAccountId":"VARCHAR","additionalEventData":"MAP(VARCHAR, VARCHAR)"}}')`

// QueryRelation resolves an event data store named in a query (its ID, or
// ARN) for a caller. owner is the account that owns the store (the
// caller's unless StartQuery names another); a store of another account
// is readable only when its resource policy allows the caller
// cloudtrail:StartQuery.
func (s *Service) QueryRelation(ctx context.Context, owner, ref string) (*Relation, error) {
	asOf, err := s.sequencer.SyncedSequence(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := s.readableStore(ctx, owner, ref)
	if err != nil {
		return nil, err
	}
	oldest := s.now().UTC().Add(-rec.retention())
	snapshot := *rec
	snapshot.Windows = boundWindows(rec.Windows, asOf)
	return &Relation{
		ARN: rec.arn(), ID: rec.ID, Account: rec.Account, Region: rec.Region, Kind: rec.Kind,
		SQL: func(events string) string { return relationSQL(&snapshot, events, oldest) },
		StatsSQL: func(events string) string {
			return fmt.Sprintf(`(SELECT count(*) AS n, coalesce(sum(strlen("eventJson")), 0) AS b FROM %s WHERE %s)`,
				events, membershipSQL(&snapshot, oldest))
		},
	}, nil
}

// boundWindows closes open windows at asOf, so that a query reads the
// events that were in the store when it started, and its statistics count
// exactly those.
func boundWindows(windows []window, asOf int64) []window {
	out := make([]window, 0, len(windows))
	for _, w := range windows {
		if w.After >= asOf {
			continue
		}
		if w.Through == nil || *w.Through > asOf {
			w.Through = &asOf
		}
		out = append(out, w)
	}
	return out
}

// StoreARN resolves an event data store of the caller's (ID or ARN) to its
// ARN, with the checks QueryRelation makes but without reading events.
func (s *Service) StoreARN(ctx context.Context, ref string) (string, error) {
	rec, err := s.readableStore(ctx, "", ref)
	if err != nil {
		return "", err
	}
	return rec.arn(), nil
}

// readableStore finds a store the caller may query: its own, or one of
// owner's whose resource policy allows the caller cloudtrail:StartQuery;
// not pending deletion.
func (s *Service) readableStore(ctx context.Context, owner, ref string) (*dataStoreRecord, error) {
	caller, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if owner == "" {
		owner = sc.account
	}
	var rec *dataStoreRecord
	err = s.store.View(ctx, func(tx store.Tx) error {
		if rec, err = s.findDataStore(tx, scope{account: owner, region: sc.region}, ref); err != nil {
			return err
		}
		if owner == sc.account {
			return nil
		}
		p, err := loadPolicy(tx, policy.Resource{Type: policy.EventDataStore, ARN: rec.arn(), OwnerAccount: owner})
		if err != nil {
			return err
		}
		if p == nil || p.Evaluate(policy.Request{
			PrincipalAccount: caller.Principal.AccountID, PrincipalARN: caller.Principal.ARN,
			Action: "cloudtrail:StartQuery", Resource: rec.arn(),
		}) != policy.Allow {
			return cloudtrail.NewEventDataStoreNotFoundException(
				"The event data store %s of account %s does not exist, or its resource policy does not allow %s to query it.",
				ref, owner, caller.Principal.ARN)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rec.Status == statusPendingDeletion {
		return nil, inactive(rec)
	}
	return rec, nil
}

// relationSQL selects a store's rows from the events relation.
func relationSQL(d *dataStoreRecord, events string, oldest time.Time) string {
	var cols []string
	if d.Kind == kindActivityAuditLog {
		cols = []string{
			`"eventVersion" AS eventversion`, `"eventCategory" AS eventcategory`, `"eventType" AS eventtype`,
			`"eventID" AS eventid`, `"eventTime" AS eventtime`, `"awsRegion" AS awsregion`,
			`"recipientAccountId" AS recipientaccountid`,
			`__activity.addendum AS addendum`, `__activity.metadata AS metadata`, `__activity.eventData AS eventdata`,
		}
		return fmt.Sprintf(`(SELECT %s FROM (SELECT *, %s AS __activity FROM %s WHERE %s))`,
			strings.Join(cols, ", "), activityTransform, events, membershipSQL(d, oldest))
	}
	if other, ok := otherSchemas[d.Kind]; ok {
		return fmt.Sprintf(`(SELECT %s FROM (SELECT *, %s AS __other FROM %s WHERE %s))`,
			other.columns, other.transform, events, membershipSQL(d, oldest))
	}
	for _, c := range lakeColumns {
		cols = append(cols, c.expr+" AS "+c.name)
	}
	return fmt.Sprintf(`(SELECT %s FROM %s WHERE %s)`, strings.Join(cols, ", "), events, membershipSQL(d, oldest))
}

// otherSchemas are the tables of Insights, Config and Audit Manager stores
// (Lake's schemas for them), read from the stored records. Cairn produces
// no such events yet, so these stores are empty; their queries see the
// columns Lake documents.
var otherSchemas = map[string]struct{ columns, transform string }{
	"Insight": {
		columns: `"eventVersion" AS eventversion, "eventCategory" AS eventcategory, "eventType" AS eventtype, "eventID" AS eventid, ` +
			`"eventTime" AS eventtime, "awsRegion" AS awsregion, "recipientAccountId" AS recipientaccountid, "sharedEventID" AS sharedeventid, ` +
			`"addendum" AS addendum, __other.insightSource AS insightsource, __other.insightDetails.state AS insightstate, ` +
			`__other.insightDetails.eventSource AS insighteventsource, __other.insightDetails.eventName AS insighteventname, ` +
			`__other.insightDetails.errorCode AS insighterrorcode, __other.insightDetails.insightType AS insighttype, ` +
			`__other.insightDetails.insightContext AS insightcontext`,
		transform: `json_transform("eventJson", '{"insightSource":"VARCHAR","insightDetails":{"state":"VARCHAR","eventSource":"VARCHAR","eventName":"VARCHAR","errorCode":"VARCHAR","insightType":"VARCHAR",` +
			`"insightContext":{"baselineAverage":"DOUBLE","insightAverage":"DOUBLE","baselineDuration":"INTEGER","insightDuration":"INTEGER",` +
			`"attributions":{"attribute":"VARCHAR","insightValue":"VARCHAR","insightAverage":"DOUBLE","baselineValue":"VARCHAR","baselineAverage":"DOUBLE"}}}}')`,
	},
	"ConfigurationItem": {
		columns: `"eventVersion" AS eventversion, "eventCategory" AS eventcategory, "eventType" AS eventtype, "eventID" AS eventid, ` +
			`"eventTime" AS eventtime, "awsRegion" AS awsregion, "recipientAccountId" AS recipientaccountid, "addendum" AS addendum, ` +
			`__other.eventData AS eventdata`,
		transform: `json_transform("eventJson", '{"eventData":{"configurationItemVersion":"VARCHAR","configurationItemCaptureTime":"VARCHAR",` +
			`"configurationItemStatus":"VARCHAR","configurationStateId":"VARCHAR","accountId":"VARCHAR","resourceType":"VARCHAR","resourceId":"VARCHAR",` +
			`"resourceName":"VARCHAR","arn":"VARCHAR","awsRegion":"VARCHAR","availabilityZone":"VARCHAR","resourceCreationTime":"VARCHAR",` +
			`"configuration":"MAP(VARCHAR, VARCHAR)","supplementaryConfiguration":"MAP(VARCHAR, VARCHAR)","relatedEvents":"VARCHAR",` +
			`"relationships":{"name":"VARCHAR","resourceType":"VARCHAR","resourceId":"VARCHAR","resourceName":"VARCHAR"},"tags":"MAP(VARCHAR, VARCHAR)"}}')`,
	},
	"Evidence": {
		columns: `"eventVersion" AS eventversion, "eventCategory" AS eventcategory, "eventType" AS eventtype, "eventID" AS eventid, ` +
			`"eventTime" AS eventtime, "awsRegion" AS awsregion, "recipientAccountId" AS recipientaccountid, "addendum" AS addendum, ` +
			`__other.eventData AS eventdata`,
		transform: `json_transform("eventJson", '{"eventData":{"attributes":"MAP(VARCHAR, VARCHAR)","awsAccountId":"VARCHAR","awsOrganization":"VARCHAR",` +
			`"complianceCheck":"VARCHAR","dataSource":"VARCHAR","eventName":"VARCHAR","eventSource":"VARCHAR","evidenceAwsAccountId":"VARCHAR",` +
			`"evidenceByType":"VARCHAR","iamId":"VARCHAR","evidenceId":"VARCHAR","time":"TIMESTAMP","assessmentId":"VARCHAR","controlSetId":"VARCHAR",` +
			`"controlId":"VARCHAR","controlName":"VARCHAR","controlDomainName":"VARCHAR","frameworkName":"VARCHAR","frameworkId":"VARCHAR",` +
			`"service":"VARCHAR","serviceCategory":"VARCHAR","resourceArn":"VARCHAR","resourceType":"VARCHAR","evidenceFolderId":"VARCHAR",` +
			`"description":"VARCHAR","manualEvidenceS3ResourcePath":"VARCHAR","evidenceFolderName":"VARCHAR","resourceComplianceCheck":"VARCHAR"}}')`,
	},
}

// membershipSQL is the condition that selects a store's events: the same
// rules as windowMatcher.selects, in SQL over the event store's columns.
func membershipSQL(d *dataStoreRecord, oldest time.Time) string {
	var windows []string
	for i := range d.Windows {
		w := &d.Windows[i]
		var conds []string
		if w.After > 0 {
			conds = append(conds, fmt.Sprintf(`seq > %d`, w.After))
		}
		if w.Through != nil {
			conds = append(conds, fmt.Sprintf(`seq <= %d`, *w.Through))
		}
		if !w.MultiRegion {
			conds = append(conds, `"scopeRegion" = `+quote(d.Region))
		}
		if d.Kind == kindActivityAuditLog {
			conds = append(conds, `"eventCategory" = 'ActivityAuditLog'`)
			if len(w.Channels) == 0 {
				conds = append(conds, "false")
			} else {
				conds = append(conds, `json_extract_string("eventJson", '$.metadata.channelARN') IN (`+quoteList(w.Channels)+`)`)
			}
		} else {
			if !categoryBound(w.Selectors) {
				conds = append(conds, `coalesce("eventCategory", '') <> 'ActivityAuditLog'`)
			}
			conds = append(conds, selectorsSQL(w.Selectors))
		}
		if len(conds) == 0 {
			conds = append(conds, "true")
		}
		windows = append(windows, "("+strings.Join(conds, " AND ")+")")
	}
	if len(windows) == 0 {
		return "false"
	}
	return fmt.Sprintf(`"scopeAccount" = %s AND "eventTime" >= TIMESTAMP '%s' AND (%s)`,
		quote(d.Account), oldest.Format("2006-01-02 15:04:05.000000"), strings.Join(windows, " OR "))
}

// categoryBound reports whether every selector requires an eventCategory
// other than ActivityAuditLog (as validated selectors of a store of
// CloudTrail events do), which makes excluding channel events redundant.
func categoryBound(sels []selectorrules.Selector) bool {
	for _, sel := range sels {
		bound := false
		for _, f := range sel.Fields {
			if f.Field == "eventCategory" && len(f.Equals) > 0 && !slices.Contains(f.Equals, kindActivityAuditLog) {
				bound = true
			}
		}
		if !bound {
			return false
		}
	}
	return true
}

// selectorsSQL is the condition for advanced selectors: any selector
// matches (selectors.Set.Match).
func selectorsSQL(sels []selectorrules.Selector) string {
	if len(sels) == 0 {
		return "false"
	}
	var any []string
	for _, sel := range sels {
		resourceType := ""
		for _, f := range sel.Fields {
			if f.Field == "resources.type" && len(f.Equals) > 0 {
				resourceType = f.Equals[0]
			}
		}
		var all []string
		for _, f := range sel.Fields {
			switch f.Field {
			case "resources.type":
				all = append(all, `len(list_filter(coalesce("resources", []), __r -> `+valueSQL(f, `coalesce(__r."type", '')`)+`)) > 0`)
			case "resources.ARN":
				cond := valueSQL(f, `coalesce(__r."ARN", '')`)
				if resourceType != "" {
					cond = `__r."type" = ` + quote(resourceType) + ` AND ` + cond
				}
				all = append(all, `len(list_filter(coalesce("resources", []), __r -> `+cond+`)) > 0`)
			default:
				all = append(all, valueSQL(f, fieldSQL(f.Field)))
			}
		}
		any = append(any, "("+strings.Join(all, " AND ")+")")
	}
	return "(" + strings.Join(any, " OR ") + ")"
}

// fieldSQL is the value a selector field compares, as selectors.Event
// holds it: the empty string when the record lacks it.
func fieldSQL(field string) string {
	switch field {
	case "eventCategory":
		return `coalesce(nullif("eventCategory", ''), CASE WHEN "managementEvent" = false THEN 'Data' ELSE 'Management' END)`
	case "readOnly":
		return `coalesce(CAST("readOnly" AS VARCHAR), '')`
	case "userIdentity.arn":
		return `coalesce("userIdentity".arn, '')`
	case "eventSource", "eventName", "eventType", "errorCode", "sessionCredentialFromConsole", "vpcEndpointId":
		return `coalesce("` + field + `", '')`
	}
	return `''`
}

// valueSQL applies one field selector's operators to v (Field.matchValue).
func valueSQL(f selectorrules.Field, v string) string {
	var pos, neg []string
	if len(f.Equals) > 0 {
		pos = append(pos, v+" IN ("+quoteList(f.Equals)+")")
	}
	for _, x := range f.StartsWith {
		pos = append(pos, "starts_with("+v+", "+quote(x)+")")
	}
	for _, x := range f.EndsWith {
		pos = append(pos, "suffix("+v+", "+quote(x)+")")
	}
	if len(f.NotEquals) > 0 {
		neg = append(neg, v+" IN ("+quoteList(f.NotEquals)+")")
	}
	for _, x := range f.NotStartsWith {
		neg = append(neg, "starts_with("+v+", "+quote(x)+")")
	}
	for _, x := range f.NotEndsWith {
		neg = append(neg, "suffix("+v+", "+quote(x)+")")
	}
	cond := "true"
	if len(pos) > 0 {
		cond = "(" + strings.Join(pos, " OR ") + ")"
	}
	if len(neg) > 0 {
		cond += " AND NOT (" + strings.Join(neg, " OR ") + ")"
	}
	return "(" + cond + ")"
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteList(values []string) string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = quote(v)
	}
	return strings.Join(out, ", ")
}
