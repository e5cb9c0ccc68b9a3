package selectors

import (
	"testing"
)

const s3GetObject = `{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","sessionContext":{"attributes":{"x":"y"}}},
"eventTime":"2026-11-20T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1",
"requestParameters":{"bucketName":"logs","key":"a/b.txt","nested":[1,2,{"k":null}]},"responseElements":null,"readOnly":true,
"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::logs/a/b.txt"},{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::logs"}],
"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data"}`

const createTrail = `{"eventVersion":"1.11","userIdentity":{"type":"Root","arn":"arn:aws:iam::123456789012:root"},"eventTime":"2026-11-20T10:00:00Z",
"eventSource":"cloudtrail.amazonaws.com","eventName":"CreateTrail","awsRegion":"eu-west-1","errorCode":"TrailAlreadyExistsException",
"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`

const kmsDecrypt = `{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","readOnly":true,"managementEvent":true,"eventCategory":"Management"}`

func mustExtract(t *testing.T, raw string) *Event {
	t.Helper()
	e, err := Extract([]byte(raw))
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	return &e
}

func TestExtract(t *testing.T) {
	e := mustExtract(t, s3GetObject)
	if e.EventSource != "s3.amazonaws.com" || e.EventName != "GetObject" || e.ReadOnly != "true" || e.ManagementEvent != "false" ||
		e.EventCategory != "Data" || e.UserIdentityARN != "arn:aws:iam::123456789012:user/alice" || e.AWSRegion != "us-east-1" ||
		e.RecipientAccountID != "123456789012" || e.EventTime != "2026-11-20T10:00:00Z" || e.EventType != "AwsApiCall" {
		t.Fatalf("extracted %+v", e)
	}
	if len(e.Resources) != 2 || e.Resources[0] != (Resource{"AWS::S3::Object", "arn:aws:s3:::logs/a/b.txt"}) || e.Resources[1].Type != "AWS::S3::Bucket" {
		t.Fatalf("resources %+v", e.Resources)
	}
	c := mustExtract(t, createTrail)
	if c.ErrorCode != "TrailAlreadyExistsException" || c.ReadOnly != "false" || c.Category() != "Management" {
		t.Fatalf("extracted %+v", c)
	}
	for _, bad := range []string{``, `[]`, `{"a":`, `{"eventSource":"x"`, `{"resources":[{"type":1,}]}`, `nul`} {
		if _, err := Extract([]byte(bad)); err == nil {
			t.Errorf("Extract(%q) succeeded", bad)
		}
	}
}

func TestCategoryFallback(t *testing.T) {
	for raw, want := range map[string]string{
		`{"managementEvent":false}`: "Data",
		`{"managementEvent":true}`:  "Management",
		`{}`:                        "Management",
		`{"eventCategory":"NetworkActivity","managementEvent":false}`: "NetworkActivity",
	} {
		if got := mustExtract(t, raw).Category(); got != want {
			t.Errorf("%s: category %q, want %q", raw, got, want)
		}
	}
}

func TestBasicSelectors(t *testing.T) {
	s3 := mustExtract(t, s3GetObject)
	mgmtWrite := mustExtract(t, createTrail)
	kms := mustExtract(t, kmsDecrypt)
	all := Basic{ReadWriteType: "All", IncludeManagementEvents: true}
	cases := []struct {
		name string
		sel  Basic
		ev   *Event
		want bool
	}{
		{"all management selects a write", all, mgmtWrite, true},
		{"all management does not select data", all, s3, false},
		{"read-only skips writes", Basic{ReadWriteType: "ReadOnly", IncludeManagementEvents: true}, mgmtWrite, false},
		{"write-only selects writes", Basic{ReadWriteType: "WriteOnly", IncludeManagementEvents: true}, mgmtWrite, true},
		{"write-only skips reads", Basic{ReadWriteType: "WriteOnly", IncludeManagementEvents: true}, kms, false},
		{"management off", Basic{ReadWriteType: "All"}, mgmtWrite, false},
		{"excluded source", Basic{ReadWriteType: "All", IncludeManagementEvents: true, ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}, kms, false},
		{"excluded source leaves others", Basic{ReadWriteType: "All", IncludeManagementEvents: true, ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}, mgmtWrite, true},
		{"all S3 objects", Basic{ReadWriteType: "All", DataResources: []DataResource{{"AWS::S3::Object", []string{"arn:aws:s3"}}}}, s3, true},
		{"whole bucket", Basic{ReadWriteType: "All", DataResources: []DataResource{{"AWS::S3::Object", []string{"arn:aws:s3:::logs/"}}}}, s3, true},
		{"object prefix", Basic{ReadWriteType: "All", DataResources: []DataResource{{"AWS::S3::Object", []string{"arn:aws:s3:::logs/a/"}}}}, s3, true},
		{"other prefix", Basic{ReadWriteType: "All", DataResources: []DataResource{{"AWS::S3::Object", []string{"arn:aws:s3:::logs/b/"}}}}, s3, false},
		{"other bucket sharing a prefix", Basic{ReadWriteType: "All", DataResources: []DataResource{{"AWS::S3::Object", []string{"arn:aws:s3:::log/"}}}}, s3, false},
		{"data selector with write-only skips a read", Basic{ReadWriteType: "WriteOnly", DataResources: []DataResource{{"AWS::S3::Object", []string{"arn:aws:s3"}}}}, s3, false},
		{"lambda values are exact", Basic{ReadWriteType: "All", DataResources: []DataResource{{"AWS::Lambda::Function", []string{"arn:aws:lambda:us-east-1:123456789012:function:hello"}}}},
			&Event{EventCategory: "Data", Resources: []Resource{{"AWS::Lambda::Function", "arn:aws:lambda:us-east-1:123456789012:function:hello2"}}}, false},
		{"all lambda functions", Basic{ReadWriteType: "All", DataResources: []DataResource{{"AWS::Lambda::Function", []string{"arn:aws:lambda"}}}},
			&Event{EventCategory: "Data", Resources: []Resource{{"AWS::Lambda::Function", "arn:aws:lambda:us-east-1:123456789012:function:hello2"}}}, true},
		{"network activity is never selected by basic selectors", all, &Event{EventCategory: "NetworkActivity"}, false},
	}
	for _, c := range cases {
		if got := (Set{Basic: []Basic{c.sel}}).Match(c.ev); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestAdvancedSelectors(t *testing.T) {
	s3 := mustExtract(t, s3GetObject)
	mgmtWrite := mustExtract(t, createTrail)
	kms := mustExtract(t, kmsDecrypt)
	mgmt := Field{Name: "eventCategory", Equals: []string{"Management"}}
	cases := []struct {
		name string
		sel  []Advanced
		ev   *Event
		want bool
	}{
		{"management", []Advanced{{[]Field{mgmt}}}, mgmtWrite, true},
		{"management does not select data", []Advanced{{[]Field{mgmt}}}, s3, false},
		{"not kms", []Advanced{{[]Field{mgmt, {Name: "eventSource", NotEquals: []string{"kms.amazonaws.com"}}}}}, kms, false},
		{"readOnly false", []Advanced{{[]Field{mgmt, {Name: "readOnly", Equals: []string{"false"}}}}}, mgmtWrite, true},
		{"readOnly false skips reads", []Advanced{{[]Field{mgmt, {Name: "readOnly", Equals: []string{"false"}}}}}, kms, false},
		{"S3 objects by ARN prefix", []Advanced{{[]Field{{Name: "eventCategory", Equals: []string{"Data"}}, {Name: "resources.type", Equals: []string{"AWS::S3::Object"}},
			{Name: "resources.ARN", StartsWith: []string{"arn:aws:s3:::logs/a/"}}}}}, s3, true},
		{"S3 objects, ARN excluded", []Advanced{{[]Field{{Name: "eventCategory", Equals: []string{"Data"}}, {Name: "resources.type", Equals: []string{"AWS::S3::Object"}},
			{Name: "resources.ARN", NotStartsWith: []string{"arn:aws:s3:::logs/"}}}}}, s3, false},
		{"resources.ARN checks only the selected type", []Advanced{{[]Field{{Name: "resources.type", Equals: []string{"AWS::S3::Object"}},
			{Name: "resources.ARN", Equals: []string{"arn:aws:s3:::logs"}}}}}, s3, false},
		{"eventName positive group is OR", []Advanced{{[]Field{{Name: "eventName", Equals: []string{"PutObject"}, EndsWith: []string{"Object"}}}}}, s3, true},
		{"positive and negative groups both hold", []Advanced{{[]Field{{Name: "eventName", StartsWith: []string{"Get"}, NotEndsWith: []string{"Object"}}}}}, s3, false},
		{"userIdentity.arn", []Advanced{{[]Field{{Name: "userIdentity.arn", Equals: []string{"arn:aws:iam::123456789012:user/alice"}}}}}, s3, true},
		{"selectors are OR'd", []Advanced{{[]Field{mgmt}}, {[]Field{{Name: "eventCategory", Equals: []string{"Data"}}}}}, s3, true},
		{"errorCode", []Advanced{{[]Field{{Name: "errorCode", Equals: []string{"TrailAlreadyExistsException"}}}}}, mgmtWrite, true},
	}
	for _, c := range cases {
		if got := (Set{Advanced: c.sel}).Match(c.ev); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if (Set{}).Match(s3) {
		t.Error("an empty set selected an event")
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{s3GetObject, createTrail, kmsDecrypt, `{}`, `{"resources":null}`, `{"userIdentity":[1]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := Extract(raw)
		if err != nil {
			return
		}
		_ = e.Category()
		(Set{Basic: []Basic{{IncludeManagementEvents: true, DataResources: []DataResource{{"AWS::S3::Object", []string{"arn:aws:s3"}}}}}}).Match(&e)
	})
}
