package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fast is the fast path alone on a copy of data (Parse with the fallback
// taken out): ok false when it gave up.
func fast(data []byte) (Record, bool) {
	var r Record
	in := bytes.TrimSpace(data)
	if len(in) == 0 || in[0] != '{' {
		return r, false
	}
	ok := parseOwned(append([]byte(nil), in...), &r)
	return r, ok
}

// short abbreviates data for messages.
func short(data []byte) string {
	if len(data) > 200 {
		return fmt.Sprintf("%q...(%d bytes)", data[:200], len(data))
	}
	return fmt.Sprintf("%q", data)
}

// checkAgainstSlow fails unless Parse gives what encoding/json gives, and
// the fast path, when it decodes data at all, the same record. It returns
// whether the fast path decoded it.
func checkAgainstSlow(t *testing.T, data []byte) bool {
	t.Helper()
	want, wantErr := parseSlow(data)
	got, err := Parse(data)
	if !reflect.DeepEqual(err, wantErr) {
		t.Fatalf("%s: Parse error %v, encoding/json %v", short(data), err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: Parse\n got %#v\nwant %#v", short(data), got, want)
	}
	r, ok := fast(data)
	if !ok {
		return false
	}
	if wantErr != nil {
		t.Fatalf("%s: the fast path decoded what encoding/json rejects (%v)", short(data), wantErr)
	}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("%s: fast path\n got %#v\nwant %#v", short(data), r, want)
	}
	// In a larger buffer, as ingestion reads records.
	for _, wrap := range [][2]string{{"[", "]"}, {`{"Records":[`, `,{}]}`}, {"", "\n{}"}} {
		buf := []byte(wrap[0] + string(bytes.TrimSpace(data)) + wrap[1])
		var in Record
		end, err := ParseAt(buf, len(wrap[0]), &in)
		if err != nil || end != len(buf)-len(wrap[1]) || !reflect.DeepEqual(in, want) {
			t.Fatalf("%s: ParseAt in %q = %d, %v\n got %#v\nwant %#v", short(data), buf, end, err, in, want)
		}
	}
	return true
}

// edgeRecords are records the fast path must decode exactly like
// encoding/json, or leave to it.
var edgeRecords = []string{
	validRecord,
	"{\n  \"eventVersion\" : \"1.08\",\t\"eventTime\":\"2021-01-01T00:00:00Z\" ,\r\n \"requestParameters\": { \"a\" : [ 1 , 2 ] } }\n",
	`{}`, ` {} `, `{"a":1}`,
	// duplicate keys
	`{"eventName":"a","eventName":"b"}`,
	`{"eventName":"a","eventName":null}`,
	`{"eventName":"a","eventName":"\u0062"}`,
	`{"eventName":"\u0061","eventName":"b"}`,
	`{"readOnly":true,"readOnly":false}`,
	`{"readOnly":true,"readOnly":null}`,
	`{"readOnly":null,"readOnly":true}`,
	`{"readOnly":true,"readOnly":null,"readOnly":false}`,
	`{"userIdentity":{"type":"A"},"userIdentity":{"arn":"x"}}`,
	`{"userIdentity":{"type":"A"},"userIdentity":null}`,
	`{"userIdentity":null,"userIdentity":{"type":"A"}}`,
	`{"userIdentity":{"sessionContext":{"attributes":{"mfaAuthenticated":"true"},"attributes":{"creationDate":"x"}}}}`,
	`{"resources":[{"ARN":"a","type":"t"}],"resources":[{"ARN":"b"}]}`,
	`{"requestParameters":{"a":1},"requestParameters":null}`,
	`{"eventTime":"2020-01-01T00:00:00Z","eventTime":null}`,
	`{"eventTime":null,"eventTime":"2020-01-01T00:00:00Z"}`,
	`{"eventTime":"2020-01-01T00:00:00Z","eventTime":"bad"}`,
	`{"tlsDetails":{"tlsVersion":"a"},"tlsDetails":{"cipherSuite":"b"}}`,
	// names in other cases
	`{"EventName":"x","EVENTSOURCE":"y","eventid":"z"}`,
	`{"eventName":"a","EventName":"b"}`,
	`{"EventName":"b","eventName":"a"}`,
	`{"userIdentity":{"TYPE":"Root","AccountID":"123456789012"},"Resources":[{"arn":"a","Type":"t","arnprefix":"p"}]}`,
	"{\"event\u017fource\":\"long s\",\"acce\u212aeyId\":\"kelvin\",\"userIdentity\":{\"acce\u212aeyId\":\"kelvin\"}}",
	"{\"eventNam\u0131\":\"dotless\"}",
	`{"eventName":"x","EventTime":"2020-01-01T00:00:00Z"}`,
	`{"Raw":"x","LookupResources":"y","rawEventTime":"z","-":1}`,
	// escaped keys and values
	`{"event\u004eame":"escaped key"}`,
	`{"eventName":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"}`,
	`{"eventName":"\ud800","eventSource":"\udc00\ud800","awsRegion":"\ud800\u0041","userAgent":"\uDBFF\uDFFF"}`,
	`{"eventTime":"2020-01-01T00:00:00\u005a"}`,
	"{\"eventName\":\"caf\xc3\xa9\",\"k\xc3\xa9\":\"\xe2\x82\xac\"}",
	// invalid UTF-8 anywhere
	"{\"eventName\":\"\xff\"}",
	"{\"requestParameters\":{\"a\":\"\xc3\"}}",
	"{\"\xfe\":1}",
	"{\"userIdentity\":{\"type\":\"\xed\xa0\x80\"}}",
	// types
	`{"eventName":1}`, `{"eventName":true}`, `{"eventName":{}}`, `{"eventName":[]}`,
	`{"readOnly":"true"}`, `{"readOnly":1}`, `{"userIdentity":"x"}`, `{"userIdentity":[]}`,
	`{"userIdentity":{"sessionContext":"x"}}`, `{"userIdentity":{"sessionContext":{"sessionIssuer":[]}}}`,
	`{"resources":{}}`, `{"resources":"x"}`, `{"resources":[1]}`, `{"resources":["x"]}`, `{"resources":[[]]}`,
	`{"resources":[null,{"ARN":"a"},null]}`, `{"resources":[]}`, `{"resources":null}`,
	`{"resources":[{"ARN":null,"type":"t"}]}`,
	`{"resources":[{"ARN":"1"},{"ARN":"2"},{"ARN":"3"},{"ARN":"4"},{"ARN":"5"},{"ARN":"6"},{"ARN":"7"},{"ARN":"8"},{"ARN":"9","ARNPrefix":"p","accountId":"a","type":"t"},{"type":"10"}]}`,
	`{"tlsDetails":"x"}`, `{"tlsDetails":null}`, `{"eventTime":5}`, `{"eventTime":{}}`, `{"eventTime":true}`,
	`{"requestParameters":5,"responseElements":"x","additionalEventData":[1],"serviceEventDetails":true,"addendum":null,"insightDetails":{},"edgeDeviceDetails":{"a":{}},"eventContext":-1.5e3}`,
	`{"userIdentity":{"sessionContext":{"webIdFederationData":{},"attributes":null,"sessionIssuer":null}}}`,
	`{"userIdentity":{"sessionContext":{"webIdFederationData":{"federatedProvider":"p","attributes":{"a":"1","b":null,"a":"2","\u00e9":"\n"}}}}}`,
	`{"userIdentity":{"sessionContext":{"webIdFederationData":{"attributes":{"a":1}}}}}`,
	`{"userIdentity":{"sessionContext":{"webIdFederationData":{"attributes":{}}}}}`,
	`{"userIdentity":{"sessionContext":{"webIdFederationData":{"attributes":null}}}}`,
	`{"userIdentity":{"sessionContext":{"webIdFederationData":{"attributes":{"a":"1"},"attributes":{"b":"2"}}}}}`,
	`{"userIdentity":{"invokedByDelegate":{"accountId":"1"},"onBehalfOf":{"userId":"u","identityStoreArn":"a"},"inScopeOf":{"sourceArn":"s","sourceAccount":"a","issuerType":"i","credentialsIssuedTo":"c"},"credentialId":"c","identityProvider":"p","invokedBy":"x"}}`,
	`{"userIdentity":{"invokedByDelegate":null,"onBehalfOf":null,"inScopeOf":null,"unknown":{"deep":[1,{"x":null}]}}}`,
	`{"userIdentity":{"onBehalfOf":{"userId":"a"},"onBehalfOf":{"identityStoreArn":"b"}}}`,
	`{"userIdentity":{"invokedByDelegate":5}}`,
	`{"managementEvent":false,"readOnly":false,"sessionCredentialFromConsole":"true","vpcEndpointId":"v","vpcEndpointAccountId":"a","annotation":"n","apiVersion":"1","sharedEventID":"s","errorCode":"c","errorMessage":"m"}`,
	// syntax
	`{"eventName":"x",}`, `{"eventName" "x"}`, `{"eventName":"x"`, `{"eventName":"x"} x`, `{"eventName":"x"}{}`,
	`{"readOnly":tru}`, `{"readOnly":nul}`, `{"eventName":nul}`, `{"userIdentity":{"type":"x",}}`,
	`{"resources":[{},]}`, `{"resources":[,]}`, `{"resources":[{}`, `{"a":01}`, "{\"eventName\":\"a\x01\"}",
	`[]`, `"x"`, `7`, `null`, ``, `   `, `{"eventName":"x"`,
}

func TestFastPathMatchesEncodingJSON(t *testing.T) {
	for _, rec := range edgeRecords {
		checkAgainstSlow(t, []byte(rec))
	}
}

// The fast path must not give up on ordinary records, or nothing is
// gained.
func TestFastPathDecodesOrdinaryRecords(t *testing.T) {
	ordinary := []string{
		validRecord,
		`{"eventVersion":"1.05","eventTime":"2020-01-01T00:00:00Z","somethingNew":{"x":[1,2]},"eventID":"a","eventName":"X"}`,
		edgeRecords[1],
		`{"EventName":"x","EVENTSOURCE":"y","eventid":"z"}`,
		`{"eventName":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"}`,
		`{"userIdentity":{"sessionContext":{"webIdFederationData":{"federatedProvider":"p","attributes":{"a":"1","b":null,"a":"2","é":"\n"}}}}}`,
		benchRecord,
	}
	files, _ := filepath.Glob("../../../shared/testdata/stratus-detonation-logs/*.json")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raws, err := SplitRecords(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range raws {
			ordinary = append(ordinary, string(raw))
		}
	}
	for _, rec := range ordinary {
		if !checkAgainstSlow(t, []byte(rec)) {
			t.Errorf("the fast path gave up on %s", rec)
		}
	}
	t.Logf("%d records", len(ordinary))
}

func TestFastPathDepth(t *testing.T) {
	for _, n := range []int{9997, 9998, 9999, 10000} {
		for _, tmpl := range []string{`{"requestParameters":%s}`, `{"userIdentity":{"x":%s}}`, `{"userIdentity":{"sessionContext":{"sessionIssuer":{"x":%s}}}}`, `{"unknown":%s}`} {
			nested := strings.Repeat("[", n) + strings.Repeat("]", n)
			checkAgainstSlow(t, fmt.Appendf(nil, tmpl, nested))
		}
	}
}

func TestParseAtSyntaxError(t *testing.T) {
	var r Record
	for _, in := range []string{`[{"eventName":"x",}]`, `[{"a":[}]`, `[tru]`, `["x`} {
		if _, err := ParseAt([]byte(in), 1, &r); err != ErrSyntax {
			t.Errorf("ParseAt(%s) = %v, want ErrSyntax", in, err)
		}
	}
	// Valid JSON that is not a record is the record's problem.
	end, err := ParseAt([]byte(`[7,{}]`), 1, &r)
	if _, ok := err.(*ValidationError); !ok || end != 2 {
		t.Errorf("ParseAt(7) = %d, %v", end, err)
	}
}

// Parse copies: the caller's buffer may change afterwards.
func TestParseDoesNotAlias(t *testing.T) {
	data := []byte(validRecord)
	r, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'x'
	}
	if string(r.Raw) != validRecord || string(r.RequestParameters) != `{"name":"t"}` || r.EventName != "CreateTrail" {
		t.Errorf("record changed with the input: %s", r.Raw)
	}
}

// FuzzParse checks the fast path against encoding/json on any input.
func FuzzParse(f *testing.F) {
	for _, rec := range edgeRecords {
		f.Add([]byte(rec))
	}
	f.Add([]byte(benchRecord))
	if files, _ := filepath.Glob("../../../shared/testdata/stratus-detonation-logs/*.json"); len(files) > 0 {
		data, err := os.ReadFile(files[0])
		if err != nil {
			f.Fatal(err)
		}
		raws, err := SplitRecords(data)
		if err != nil {
			f.Fatal(err)
		}
		for _, raw := range raws[:min(len(raws), 3)] {
			f.Add([]byte(raw))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstSlow(t, data)
	})
}

func BenchmarkParse(b *testing.B) {
	data := []byte(benchRecord)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var r Record
		if _, err := ParseAt(data, 0, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSlow(b *testing.B) {
	data := []byte(benchRecord)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseSlow(data); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRecord is a record like the benchmark's (bench/loadgen), 1.2 KB.
var benchRecord = func() string {
	var m map[string]any
	if err := json.Unmarshal([]byte(validRecord), &m); err != nil {
		panic(err)
	}
	m["userAgent"] = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2 prompt/off command/ec2.run-instances"
	m["requestParameters"] = map[string]any{"instancesSet": map[string]any{"items": []any{map[string]any{"imageId": "ami-0123456789abcdef0", "minCount": 1, "maxCount": 1}}}, "instanceType": "t3.micro", "blockDeviceMapping": map[string]any{}, "monitoring": map[string]any{"enabled": false}, "disableApiTermination": false, "clientToken": "e1c1f0f6-2f5b-4b53-9d0f-3a1f2b7d9c11"}
	m["responseElements"] = map[string]any{"requestId": "8c7b3a52-5d0f-4c36-9a0e-0f1f6d5b9a22", "reservationId": "r-0123456789abcdef0", "ownerId": "123456789012", "instancesSet": map[string]any{"items": []any{map[string]any{"instanceId": "i-0123456789abcdef0", "currentState": map[string]any{"code": 0, "name": "pending"}}}}}
	m["resources"] = []any{map[string]any{"ARN": "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0", "accountId": "123456789012", "type": "AWS::EC2::Instance"}}
	m["tlsDetails"] = map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "ec2.us-east-1.amazonaws.com"}
	m["requestID"] = "8c7b3a52-5d0f-4c36-9a0e-0f1f6d5b9a22"
	m["eventID"] = "0b6a1d5e-7f3c-4e2a-8d9b-1c2e3f4a5b6c"
	out, _ := json.Marshal(m)
	return string(out)
}()

func TestRawChecked(t *testing.T) {
	spaced := "{ \"eventName\" : \"x\" }"
	for _, in := range []string{validRecord, spaced, `{"userIdentity":{"type":"A"},"userIdentity":{"arn":"b"}}`} {
		r, err := Parse([]byte(in)) // the fast path, compacting, and encoding/json
		if err != nil || !r.RawChecked() {
			t.Errorf("Parse(%s): checked %v, %v", in, r.RawChecked(), err)
		}
		var at Record
		if _, err := ParseAt([]byte("["+in+"]"), 1, &at); err != nil || !at.RawChecked() {
			t.Errorf("ParseAt(%s): checked %v, %v", in, at.RawChecked(), err)
		}
		r.AppendRawString("recipientAccountId", "123456789012")
		if !r.RawChecked() || !json.Valid(r.Raw) || !bytes.HasSuffix(r.Raw, []byte(`,"recipientAccountId":"123456789012"}`)) {
			t.Errorf("after AppendRawString: %v %s", r.RawChecked(), r.Raw)
		}
		r.Raw = json.RawMessage(`{"eventName":"other"}`)
		if r.RawChecked() {
			t.Error("a replaced Raw is still checked")
		}
	}
	var empty Record
	empty.Raw = json.RawMessage(`{}`)
	if empty.RawChecked() {
		t.Error("a Raw set by hand is checked")
	}
	empty.AppendRawString("k", "\xff")
	if string(empty.Raw) != `{"k":"\ufffd"}` || empty.RawChecked() {
		t.Errorf("AppendRawString on {}: %s", empty.Raw)
	}
}
