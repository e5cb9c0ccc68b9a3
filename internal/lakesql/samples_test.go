package lakesql

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type sample struct {
	n            int
	placeholders []string
	expect       string
	text         string
}

// samples reads testdata/lake-sample-queries.sql.
func samples(t testing.TB) []sample {
	src, err := os.ReadFile("testdata/lake-sample-queries.sql")
	if err != nil {
		t.Fatal(err)
	}
	var out []sample
	for _, part := range regexp.MustCompile(`(?m)^-- @query `).Split(string(src), -1)[1:] {
		nl := strings.IndexByte(part, '\n')
		n, _ := strconv.Atoi(strings.TrimSpace(part[:nl]))
		s := sample{n: n}
		var body []string
		for _, line := range strings.Split(part[nl+1:], "\n") {
			switch {
			case strings.HasPrefix(line, "-- @placeholders "):
				for _, p := range strings.Split(strings.TrimPrefix(line, "-- @placeholders "), " | ") {
					s.placeholders = append(s.placeholders, strings.TrimSpace(p))
				}
			case strings.HasPrefix(line, "-- @expect "):
				s.expect = strings.TrimSpace(strings.TrimPrefix(line, "-- @expect "))
			case strings.HasPrefix(line, "-- @"):
			default:
				body = append(body, line)
			}
		}
		s.text = strings.TrimSpace(strings.Join(body, "\n"))
		out = append(out, s)
	}
	return out
}

// substitutes are the test stores (or values) that replace the
// placeholders of the samples; placeholders that already read as table
// names (EDS1, eds-id, UUIDs) are stores of their own.
var substitutes = map[string]string{
	"<event_data_store_id>":                  "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE",
	"$EDS_ID":                                "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE",
	"<EDS ID>":                               "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE",
	"<event-data-store-ID>":                  "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE",
	"<EDS_ID>":                               "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE",
	"<Event data store Id>":                  "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE",
	"{{replace with your data store id}}":    "aa11bb22-cc33-4d44-8e55-ff6677889900",
	"${date_filter}":                         "2023-01-22 16:53:53",
	"config_event_data_store_ID":             "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE",
	"<event data store id>":                  "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE",
	"<Event data store Id> | ${date_filter}": "",
}

func (s sample) statement() string {
	text := s.text
	for _, p := range s.placeholders {
		if sub, ok := substitutes[p]; ok && sub != "" {
			text = strings.ReplaceAll(text, p, sub)
		}
	}
	if s.n == 51 {
		text = strings.ReplaceAll(text, "eds-id", "enriched-0000-4000-8000-000000000000")
	}
	return text
}

// sampleNames are the result keys Lake gives each valid sample (§1.8 of
// the reference: alias as written, column as written, last field of a
// dereference, _col<N>).
var sampleNames = map[int][]string{
	1:  {"recipientAccountId", "awsRegion", "eventSource", "TotalPossibleCI"},
	3:  {"eventid", "eventtime", "RoleARN", "RoleIdColonRoleSessionName"},
	5:  {"DBInstance", "InstanceClass", "Engine", "DateTime"},
	7:  {"eventName", "_col1", "principalid", "eventTime"},
	9:  {"weekday", "eventCount"},
	11: {"recipientAccountId", "awsRegion", "eventID", "instances"},
	13: {"eventName", "user", "sourceIPAddress", "eventTime", "eventSource", "securityGroup", "securityGroupRule"},
	15: {"principalid", "awsRegion", "volume", "Instance", "snapshotID"},
	17: {"AccountID", "SSORole", "eventID", "eventTime"},
	19: {"recipientAccountId", "awsRegion", "eventSource", "eventName", "readOnly", "errorCode", "errorMessage", "eventTime", "eventID"},
	21: {"principalid", "eventName", "eventTime", "recipientAccountId", "awsRegion"},
	23: strings.Fields(`eventVersion principalID arn accountID accessKeyID username creationDate mfaAuthenticated
		type principalID arn accountID username federatedProvider attributes sourceIdentity ec2RoleDelivery
		ec2IssuedInVPC invokedBy identityProvider eventTime eventSource eventName awsRegion sourceIpAddress
		userAgent errorCode errorMessage requestParameters responseElements additionalEventData requestID eventID
		readOnly resources eventType apiVersion managementEvent recipientAccountID sharedEventID annotation
		vpcEndPointID serviceEventDetails addendum edgeDeviceDetails insightDetails eventCategory tlsVersion
		cipherSuite clientProvidedHostHeader sessionCredentialFromConsole eventJson eventJsonChecksum`),
	25: {"arn", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "requestParameters", "readOnly", "recipientAccountId", "sessionCredentialFromConsole"},
	27: {"eventTime", "awsRegion", "recipientAccountId", "configRuleName", "Compliance", "ResourceType", "ResourceName"},
	29: {"Bucket", "Region", "AccountID"},
	31: {"awsRegion", "eventSource", "resourceId", "eventTime", "eventName", "key", "value", "identityarn"},
	33: {"bucketName", "key", "requestCount"},
	35: {"principalid", "accountId", "eventCount"},
	41: {"eventID", "eventName", "eventSource", "eventTime"},
	43: {"eventTime", "arn", "awsRegion"},
	45: {"eventId", "eventName"},
	47: {"eventName", "eventSource", "_col2", "_col3"},
	49: {"event_date", "read_events", "write_events"},
	51: {"_col0", "event_count"},
	53: {"eventName", "user", "apiCount"},
	55: {"eventTime", "eventSource", "eventName", "user", "displayName"},
	57: {"eventversion", "eventcategory", "eventtype", "eventid", "eventtime", "awsregion", "recipientaccountid", "addendum", "metadata", "eventdata"},
	59: {"eventname", "lambda_resources"},
}

// sampleRows are results of samples on the test data, row by row, columns
// joined by " | ".
var sampleRows = map[int][]string{
	3:  {"evt-b | 2022-09-08 22:22:40.000 | arn:aws:iam::123456789012:role/Admin | AROAEXAMPLE:session"},
	5:  {"db1 | db.r5.large | aurora-mysql | 2022-03-01 00:00:00.000"},
	7:  nil,
	11: {`123456789012 | us-east-1 | evt-c | {"items":[{"instanceId":"i-b188560f"}]}`},
	13: {
		`ModifySecurityGroupRules | arn:aws:iam::123456789012:user/bob | 192.0.2.1 | 2023-07-08 12:00:00.000 | ec2.amazonaws.com | sg-2 | {"GroupId":"sg-2","SecurityGroupRule":{"CidrIpv4":"0.0.0.0/0"}}`,
		`AuthorizeSecurityGroupIngress | arn:aws:iam::123456789012:user/bob | 192.0.2.1 | 2023-07-07 00:00:00.000 | ec2.amazonaws.com | sg-1 | {"items":[{"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}`,
	},
	17: {"111122223333 | Admin | evt-g | 2023-01-02 00:00:00.000"},
	19: {"123456789012 | us-east-1 | s3.amazonaws.com | ListBuckets | true | AccessDenied | NULL | 2023-01-04 00:00:00.000 | evt-h"},
	21: {"AIDAEXAMPLE | RunInstances | 2023-01-03 10:00:00.000 | 123456789012 | us-east-1"},
	27: {"2023-11-16 12:00:00.000 | us-east-1 | 123456789012 | rule1 | NON_COMPLIANT | AWS::S3::Bucket | bucket1"},
	29: {"bucket1 | us-east-1 | 123456789012"},
	31: {"us-east-1 | ec2.amazonaws.com | i-1 | 2022-05-01 00:00:00.000 | CreateTags | env | prod | arn:aws:iam::123456789012:user/bob"},
	41: {"evt-a | ConsoleLogin | signin.amazonaws.com | 2023-01-22 16:53:53.000"},
	43: {"2023-01-22 16:53:53.000 | arn:aws:iam::123456789012:user/bob | us-east-1"},
	49: {"2024-05-10 | 1 | 1"},
	51: {"NULL | 14", "lake | 14"}, // sorted: the counts tie
	53: {"git.clone | octocat | 11"},
	55: { // sorted
		"2022-09-08 22:22:40.000 | sts.amazonaws.com | AssumeRole | AROAEXAMPLE:session | AssumedRole",
		"2022-09-08T22:22:35Z | okta.system-log-events | user.session.start | jane@example.com | Jane Doe",
	},
	59: {"Invoke | [{accountid=123456789012, type=AWS::Lambda::Function, arn=arn:aws:lambda:us-east-1:123456789012:function:f, arnprefix=null}]"},
}

func TestSamples(t *testing.T) {
	all := samples(t)
	if len(all) != 30 {
		t.Fatalf("%d samples, want 30", len(all))
	}
	for _, s := range all {
		t.Run(strconv.Itoa(s.n), func(t *testing.T) {
			stmt := s.statement()
			q, err := Translate(stmt, resolve)
			if s.expect == "invalid-upstream" {
				if err == nil {
					_, err = run(t, q)
					if err == nil {
						t.Fatalf("ran; want an error\n%s", q.SQL)
					}
					var e *Error
					if me := q.MapDuckDBError(err); me == nil {
						t.Fatalf("MapDuckDBError(%v) = nil, want a user error", err)
					} else if errors.As(error(me), &e); e.Line == 0 {
						t.Errorf("no position in %v", me)
					}
					t.Logf("rejected when run: %v", q.MapDuckDBError(err))
					return
				}
				if _, ok := err.(*Error); !ok {
					t.Fatalf("Translate: %T %v, want *Error", err, err)
				}
				t.Logf("rejected: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("Translate: %v", err)
			}
			res, err := run(t, q)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, q.SQL)
			}
			if want := sampleNames[s.n]; !slices.Equal(res.cols, want) {
				t.Errorf("columns %q, want %q", res.cols, want)
			}
			if want, ok := sampleRows[s.n]; ok {
				var got []string
				for _, r := range res.rows {
					got = append(got, strings.Join(r, " | "))
				}
				if s.n == 51 || s.n == 55 {
					slices.Sort(got)
				}
				if !slices.Equal(got, want) {
					t.Errorf("rows\n%s\nwant\n%s\n(query: %s)", strings.Join(got, "\n"), strings.Join(want, "\n"), q.SQL)
				}
			}
		})
	}
}

// TestSampleErrors checks where the broken samples are rejected.
func TestSampleErrors(t *testing.T) {
	for _, s := range samples(t) {
		switch s.n {
		case 37:
			_, err := Translate(s.statement(), resolve)
			if got, want := err.Error(), `line 2:6: mismatched input 'FROM'. Expecting: table name`; got != want {
				t.Errorf("37: %s, want %s", got, want)
			}
		case 39:
			q, err := Translate(s.statement(), resolve)
			if err != nil {
				t.Fatal(err)
			}
			_, err = run(t, q)
			e := q.MapDuckDBError(err)
			if e == nil || !regexp.MustCompile(`^line 1:8: 'userIdentity.username' must be an aggregate expression or appear in GROUP BY clause`).MatchString(e.Error()) {
				t.Errorf("39: %v (DuckDB: %v)", e, err)
			}
		}
	}
}
