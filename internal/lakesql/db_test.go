package lakesql

import (
	"database/sql"
	"strings"
	"sync"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// The test relations stand for what the query service gives the
// translator: the Lake columns of Cairn's event store (schema.go's types,
// column names in lower case), one relation of CloudTrail events, one of
// ActivityAuditLog events from channels, one of enriched events (with
// eventContext).
const (
	mapT      = "MAP(VARCHAR, VARCHAR)"
	issuerT   = "STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR)"
	identityT = "STRUCT(" +
		"type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, accessKeyId VARCHAR, userName VARCHAR, " +
		"sessionContext STRUCT(" +
		"attributes STRUCT(creationDate TIMESTAMP, mfaAuthenticated VARCHAR), " +
		"sessionIssuer " + issuerT + ", " +
		"webIdFederationData STRUCT(federatedProvider VARCHAR, attributes " + mapT + "), " +
		"sourceIdentity VARCHAR, ec2RoleDelivery VARCHAR, ec2IssuedInVpc VARCHAR), " +
		"onBehalfOf STRUCT(userId VARCHAR, identityStoreArn VARCHAR), " +
		"inScopeOf STRUCT(sourceArn VARCHAR, sourceAccount VARCHAR, issuerType VARCHAR, credentialsIssuedTo VARCHAR), " +
		"invokedBy VARCHAR, identityProvider VARCHAR)"
	resourcesT = "STRUCT(accountId VARCHAR, type VARCHAR, ARN VARCHAR, ARNPrefix VARCHAR)[]"
	tlsT       = "STRUCT(tlsVersion VARCHAR, cipherSuite VARCHAR, clientProvidedHostHeader VARCHAR)"
)

var eventsColumns = [][2]string{
	{"eventversion", "VARCHAR"}, {"useridentity", identityT}, {"eventtime", "TIMESTAMP NOT NULL"},
	{"eventsource", "VARCHAR"}, {"eventname", "VARCHAR"}, {"awsregion", "VARCHAR"},
	{"sourceipaddress", "VARCHAR"}, {"useragent", "VARCHAR"}, {"errorcode", "VARCHAR"},
	{"errormessage", "VARCHAR"}, {"requestparameters", mapT}, {"responseelements", mapT},
	{"additionaleventdata", mapT}, {"requestid", "VARCHAR"}, {"eventid", "VARCHAR"},
	{"readonly", "BOOLEAN"}, {"resources", resourcesT}, {"eventtype", "VARCHAR"},
	{"apiversion", "VARCHAR"}, {"managementevent", "BOOLEAN"}, {"recipientaccountid", "VARCHAR"},
	{"sharedeventid", "VARCHAR"}, {"annotation", "VARCHAR"}, {"vpcendpointid", "VARCHAR"},
	{"vpcendpointaccountid", "VARCHAR"}, {"serviceeventdetails", mapT}, {"addendum", mapT},
	{"edgedevicedetails", mapT}, {"insightdetails", mapT}, {"eventcategory", "VARCHAR"},
	{"tlsdetails", tlsT}, {"sessioncredentialfromconsole", "VARCHAR"}, {"eventjson", "VARCHAR NOT NULL"},
	{"eventjsonchecksum", "VARCHAR"},
}

const activityDDL = `CREATE TABLE activity (
	eventversion VARCHAR, eventcategory VARCHAR, eventtype VARCHAR, eventid VARCHAR,
	eventtime TIMESTAMP NOT NULL, awsregion VARCHAR, recipientaccountid VARCHAR,
	addendum STRUCT(reason VARCHAR, updatedFields VARCHAR, originalUID VARCHAR, originalEventID VARCHAR),
	metadata STRUCT(ingestionTime VARCHAR, channelARN VARCHAR),
	eventdata STRUCT(version VARCHAR, userIdentity STRUCT(type VARCHAR, principalId VARCHAR, details MAP(VARCHAR, VARCHAR)),
		userAgent VARCHAR, eventSource VARCHAR, eventName VARCHAR, eventTime VARCHAR, UID VARCHAR,
		requestParameters MAP(VARCHAR, VARCHAR), responseElements MAP(VARCHAR, VARCHAR), errorCode VARCHAR,
		errorMessage VARCHAR, sourceIPAddress VARCHAR, recipientAccountId VARCHAR,
		additionalEventData MAP(VARCHAR, VARCHAR)))`

// event is a row of the events relation; fields left empty are NULL.
type event struct {
	time, source, name, region, category   string
	identity                               string // a STRUCT literal
	readOnly, mgmt                         string // true, false or ""
	errorCode, fromConsole                 string
	request, response, additional, service string // MAP literals
	resources                              string // a LIST literal
	json                                   string
}

func lit(s string) string {
	if s == "" {
		return "NULL"
	}
	return quoteString(s)
}

func raw(s string) string {
	if s == "" {
		return "NULL"
	}
	return s
}

func identity(typ, principal, arn, user, issuerArn string) string {
	return "{'type': " + lit(typ) + ", 'principalId': " + lit(principal) + ", 'arn': " + lit(arn) +
		", 'accountId': '123456789012', 'accessKeyId': 'AKIAEXAMPLE', 'userName': " + lit(user) +
		", 'sessionContext': {'attributes': {'creationDate': TIMESTAMP '2023-01-22 16:00:00', 'mfaAuthenticated': 'false'}" +
		", 'sessionIssuer': {'type': 'Role', 'principalId': 'AROAEXAMPLE', 'arn': " + lit(issuerArn) +
		", 'accountId': '123456789012', 'userName': 'Admin'}, 'webIdFederationData': NULL, 'sourceIdentity': NULL" +
		", 'ec2RoleDelivery': NULL, 'ec2IssuedInVpc': NULL}, 'onBehalfOf': NULL, 'inScopeOf': NULL" +
		", 'invokedBy': NULL, 'identityProvider': NULL}"
}

var testEvents = []event{
	{time: "2023-01-22 16:53:53", source: "signin.amazonaws.com", name: "ConsoleLogin", region: "us-east-1",
		identity: identity("IAMUser", "AIDAEXAMPLE", "arn:aws:iam::123456789012:user/bob", "bob", ""),
		readOnly: "false", mgmt: "true", fromConsole: "true", response: "map {'ConsoleLogin': 'Success'}"},
	{time: "2022-09-08 22:22:40", source: "sts.amazonaws.com", name: "AssumeRole", region: "us-west-2",
		identity: identity("AssumedRole", "AROAEXAMPLE:session", "arn:aws:sts::123456789012:assumed-role/Admin/s", "", "arn:aws:iam::123456789012:role/Admin"),
		readOnly: "true", mgmt: "true",
		resources: "[{'accountId': '123456789012', 'type': 'AWS::IAM::Role', 'ARN': 'arn:aws:iam::123456789012:role/Admin', 'ARNPrefix': NULL}]"},
	{time: "2023-01-03 10:00:00", source: "ec2.amazonaws.com", name: "RunInstances", region: "us-east-1",
		identity: identity("IAMUser", "AIDAEXAMPLE", "arn:aws:iam::123456789012:user/bob", "bob", ""),
		readOnly: "false", mgmt: "true", request: "map {'instanceType': 't3.micro'}",
		response: `map {'instancesSet': '{"items":[{"instanceId":"i-b188560f"}]}'}`},
	{time: "2022-03-01 00:00:00", source: "rds.amazonaws.com", name: "CreateDBInstance", region: "eu-west-1",
		identity: identity("IAMUser", "AIDAEXAMPLE", "arn:aws:iam::123456789012:user/bob", "bob", ""),
		readOnly: "false", mgmt: "true",
		request: "map {'dBInstanceIdentifier': 'db1', 'dBInstanceClass': 'db.r5.large', 'engine': 'aurora-mysql'}"},
	{time: "2023-07-07 00:00:00", source: "ec2.amazonaws.com", name: "AuthorizeSecurityGroupIngress", region: "us-east-1",
		identity: identity("IAMUser", "AIDAEXAMPLE", "arn:aws:iam::123456789012:user/bob", "bob", ""),
		readOnly: "false", mgmt: "true",
		request: `map {'groupId': 'sg-1', 'ipPermissions': '{"items":[{"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}'}`},
	{time: "2023-07-08 12:00:00", source: "ec2.amazonaws.com", name: "ModifySecurityGroupRules", region: "us-east-1",
		identity: identity("IAMUser", "AIDAEXAMPLE", "arn:aws:iam::123456789012:user/bob", "bob", ""),
		readOnly: "false", mgmt: "true",
		request: `map {'ModifySecurityGroupRulesRequest': '{"GroupId":"sg-2","SecurityGroupRule":{"CidrIpv4":"0.0.0.0/0"}}'}`},
	{time: "2023-01-02 00:00:00", source: "sso.amazonaws.com", name: "Federate", region: "us-east-1",
		identity: identity("Unknown", "alice@example.com", "", "alice@example.com", ""),
		readOnly: "true", mgmt: "true", service: "map {'account_id': '111122223333', 'role_name': 'Admin'}"},
	{time: "2023-01-04 00:00:00", source: "s3.amazonaws.com", name: "ListBuckets", region: "us-east-1",
		identity: identity("AssumedRole", "AROAEXAMPLE:alice@example.com", "", "", ""),
		readOnly: "true", mgmt: "true", errorCode: "AccessDenied"},
	{time: "2023-11-16 12:00:00", source: "config.amazonaws.com", name: "PutEvaluations", region: "us-east-1",
		identity: identity("AWSService", "", "", "", ""), readOnly: "false", mgmt: "true",
		additional: "map {'configRuleName': 'rule1'}",
		request:    `map {'evaluations': '[{"complianceType":"NON_COMPLIANT","complianceResourceType":"AWS::S3::Bucket","complianceResourceId":"bucket1"}]'}`},
	{time: "2023-02-01 00:00:00", source: "s3.amazonaws.com", name: "GetObject", region: "us-east-1", category: "Data",
		identity: identity("IAMUser", "AIDAEXAMPLE", "arn:aws:iam::123456789012:user/bob", "bob", ""),
		readOnly: "true", additional: "map {'aclRequired': 'Yes'}", request: "map {'bucketName': 'bucket1', 'key': 'a.txt'}"},
	{time: "2022-05-01 00:00:00", source: "ec2.amazonaws.com", name: "CreateTags", region: "us-east-1",
		identity: identity("IAMUser", "AIDAEXAMPLE", "arn:aws:iam::123456789012:user/bob", "bob", ""),
		readOnly: "false", mgmt: "true",
		json: `{"requestParameters":{"resourcesSet":{"items":[{"resourceId":"i-1"}]},"tagSet":{"items":[{"key":"env","value":"prod"}]}}}`},
	{time: "2024-05-10 08:00:00", source: "lambda.amazonaws.com", name: "Invoke", region: "us-east-1", category: "Data",
		identity: identity("IAMUser", "AIDAEXAMPLE", "arn:aws:iam::123456789012:user/bob", "bob", ""), readOnly: "false",
		resources: "[{'accountId': '123456789012', 'type': 'AWS::Lambda::Function', 'ARN': 'arn:aws:lambda:us-east-1:123456789012:function:f', 'ARNPrefix': NULL}]"},
	{time: "2024-05-10 09:00:00", source: "iam.amazonaws.com", name: "GetUser", region: "us-east-1",
		identity: identity("IAMUser", "AIDAEXAMPLE", "arn:aws:iam::123456789012:user/bob", "bob", ""), readOnly: "true", mgmt: "true"},
	{time: "2023-10-05 00:00:00", source: "iam.amazonaws.com", name: "CreateUser", region: "us-east-1",
		identity: identity("IAMUser", "AIDAEXAMPLE", "arn:aws:iam::123456789012:user/bob", "bob", ""), readOnly: "false", mgmt: "true"},
}

func (e event) values(i int) string {
	json := e.json
	if json == "" {
		json = `{"eventName":"` + e.name + `"}`
	}
	category := e.category
	if category == "" {
		category = "Management"
	}
	vals := []string{"'1.09'", e.identity, "TIMESTAMP '" + e.time + "'", lit(e.source), lit(e.name), lit(e.region),
		"'192.0.2.1'", "'aws-cli/2'", lit(e.errorCode), "NULL", raw(e.request), raw(e.response), raw(e.additional),
		"'req-" + string(rune('a'+i)) + "'", "'evt-" + string(rune('a'+i)) + "'", raw(e.readOnly), raw(e.resources),
		"'AwsApiCall'", "NULL", raw(e.mgmt), "'123456789012'", "NULL", "NULL", "NULL", "NULL", raw(e.service), "NULL",
		"NULL", "NULL", lit(category), "{'tlsVersion': 'TLSv1.3', 'cipherSuite': 'TLS_AES_128_GCM_SHA256', 'clientProvidedHostHeader': 'example.com'}",
		lit(e.fromConsole), lit(json), "'checksum'"}
	return "(" + strings.Join(vals, ", ") + ")"
}

// activity rows: eleven git clones, one Okta event, one fluent-bit event.
const activityRows = `INSERT INTO activity SELECT '1.0', 'ActivityAuditLog', 'ActivityLog', 'gh-' || i, TIMESTAMP '2022-09-10 00:00:00',
	'us-east-1', '123456789012', NULL, {'ingestionTime': '2022-09-10T00:00:01Z', 'channelARN': 'arn:aws:cloudtrail:us-east-1:123456789012:channel/gh'},
	{'version': '1', 'userIdentity': {'type': 'User', 'principalId': 'octocat', 'details': NULL}, 'userAgent': 'git',
	 'eventSource': 'github.audit.streaming', 'eventName': 'git.clone', 'eventTime': '2022-09-10T00:00:00Z', 'UID': 'u' || i,
	 'requestParameters': NULL, 'responseElements': NULL, 'errorCode': NULL, 'errorMessage': NULL, 'sourceIPAddress': NULL,
	 'recipientAccountId': '123456789012', 'additionalEventData': NULL}
	FROM range(11) t(i);
INSERT INTO activity VALUES ('1.0', 'ActivityAuditLog', 'ActivityLog', 'okta-1', TIMESTAMP '2022-09-08 22:22:35', 'us-east-1',
	'123456789012', NULL, {'ingestionTime': '2022-09-08T22:22:36Z', 'channelARN': 'arn:aws:cloudtrail:us-east-1:123456789012:channel/okta'},
	{'version': '1', 'userIdentity': {'type': 'User', 'principalId': 'jane', 'details': map {'alternateId': 'jane@example.com', 'displayName': 'Jane Doe'}},
	 'userAgent': NULL, 'eventSource': 'okta.system-log-events', 'eventName': 'user.session.start', 'eventTime': '2022-09-08T22:22:35Z',
	 'UID': 'o1', 'requestParameters': NULL, 'responseElements': NULL, 'errorCode': NULL, 'errorMessage': NULL, 'sourceIPAddress': NULL,
	 'recipientAccountId': '123456789012', 'additionalEventData': NULL});
INSERT INTO activity VALUES ('1.0', 'ActivityAuditLog', 'ActivityLog', 'eks-1', TIMESTAMP '2023-03-01 00:00:00', 'us-west-2',
	'123456768901', NULL, {'ingestionTime': '2023-03-01T00:00:01Z', 'channelARN': 'arn:aws:cloudtrail:us-west-2:123456768901:channel/xxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxx'},
	{'version': '1', 'userIdentity': {'type': 'fluentbit', 'principalId': 'pod-1', 'details': NULL}, 'userAgent': NULL,
	 'eventSource': 'eks.pods', 'eventName': 'log', 'eventTime': '2023-03-01T00:00:00Z', 'UID': 'e1', 'requestParameters': NULL,
	 'responseElements': NULL, 'errorCode': NULL, 'errorMessage': NULL, 'sourceIPAddress': NULL, 'recipientAccountId': '123456768901',
	 'additionalEventData': NULL})`

var (
	dbOnce sync.Once
	db     *sql.DB
	dbErr  error
)

// testDB is an in-memory database holding the test relations, with the
// macros installed.
func testDB(t testing.TB) *sql.DB {
	t.Helper()
	dbOnce.Do(func() {
		db, dbErr = sql.Open("duckdb", "")
		if dbErr != nil {
			return
		}
		var cols []string
		for _, c := range eventsColumns {
			cols = append(cols, c[0]+" "+c[1])
		}
		var rows []string
		for i, e := range testEvents {
			rows = append(rows, e.values(i))
		}
		stmts := append(SharedSQL(),
			"CREATE TABLE events ("+strings.Join(cols, ", ")+")",
			"INSERT INTO events VALUES "+strings.Join(rows, ",\n"),
			activityDDL,
			activityRows,
			`CREATE VIEW enriched AS SELECT *, {'tagContext': {'resourceTags': [
				{'arn': 'arn:aws:s3:::b', 'tags': map {'solution': 'lake'}},
				{'arn': 'arn:aws:s3:::c', 'tags': map {'team': 'x'}}], 'principalTags': map {'team': 'y'}}} AS eventcontext FROM events`,
		)
		for _, s := range stmts {
			if _, dbErr = db.Exec(s); dbErr != nil {
				dbErr = &Error{Message: dbErr.Error() + " in " + s}
				return
			}
		}
	})
	if dbErr != nil {
		t.Fatal(dbErr)
	}
	return db
}

// stores are the event data stores of the tests.
var stores = map[string]string{
	"EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE":  "events",
	"EDS1":                                 "events",
	"EDS2":                                 "events",
	"EDS3":                                 "events",
	"eds1":                                 "events",
	"eds2":                                 "events",
	"eds-id":                               "events",
	"event_data_store_ID":                  "events",
	"181660c8-d56d-4ec1-aa32-c1713fb3bca3": "events",
	"074365db-2079-4c18-ab83-e753897b74fe": "activity",
	"xxxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxx": "activity",
	"aa11bb22-cc33-4d44-8e55-ff6677889900": "activity",
	"enriched-0000-4000-8000-000000000000": "enriched",
}

func resolve(name string) (string, bool, error) {
	rel, ok := stores[name]
	return rel, ok, nil
}

// result is what a query returned: column names, DuckDB types and rows
// rendered as Lake renders them ("NULL" for nil).
type result struct {
	cols, types []string
	rows        [][]string
}

func run(t testing.TB, q *Query) (*result, error) {
	t.Helper()
	rows, err := testDB(t).Query(q.SQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	res := &result{}
	res.cols, _ = rows.Columns()
	cts, _ := rows.ColumnTypes()
	for _, c := range cts {
		res.types = append(res.types, c.DatabaseTypeName())
	}
	for rows.Next() {
		vals := make([]any, len(res.cols))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			if s := Render(v, res.types[i]); s != nil {
				row[i] = *s
			} else {
				row[i] = "NULL"
			}
		}
		res.rows = append(res.rows, row)
	}
	return res, rows.Err()
}

// query translates and runs a statement over the test stores.
func query(t testing.TB, stmt string) *result {
	t.Helper()
	q, err := Translate(stmt, resolve)
	if err != nil {
		t.Fatalf("Translate(%q): %v", stmt, err)
	}
	res, err := run(t, q)
	if err != nil {
		t.Fatalf("running %q\n(DuckDB: %s): %v", stmt, q.SQL, err)
	}
	return res
}
