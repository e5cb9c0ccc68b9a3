package lakesql

import (
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

var tenth = 0.1

func TestJavaDouble(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{1, "1.0"}, {1.5, "1.5"}, {-2.25, "-2.25"}, {100, "100.0"}, {0.001, "0.001"}, {0.0001, "1.0E-4"},
		{9999999, "9999999.0"}, {1e7, "1.0E7"}, {1.5e10, "1.5E10"}, {123456789, "1.23456789E8"},
		{tenth + 2*tenth, "0.30000000000000004"}, {1.0 / 3, "0.3333333333333333"}, {5e-324, "4.9E-324"},
		{math.MaxFloat64, "1.7976931348623157E308"}, {0, "0.0"}, {math.Copysign(0, -1), "-0.0"},
		{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"}, {1234.5678, "1234.5678"},
	} {
		if got := javaDouble(c.f, 64); got != c.want {
			t.Errorf("%v: %s, want %s", c.f, got, c.want)
		}
	}
	if got := javaDouble(float64(float32(1.1)), 32); got != "1.1" {
		t.Errorf("float32 1.1: %s", got)
	}
	if got := javaDouble(float64(float32(3e10)), 32); got != "3.0E10" {
		t.Errorf("float32 3e10: %s", got)
	}
}

func TestRender(t *testing.T) {
	ts := time.Date(2023, 1, 22, 16, 53, 53, 123456000, time.UTC)
	for _, c := range []struct {
		v    any
		typ  string
		want string
	}{
		{"abc", "VARCHAR", "abc"},
		{int64(96059), "BIGINT", "96059"},
		{int32(-3), "INTEGER", "-3"},
		{uint64(18446744073709551615), "UBIGINT", "18446744073709551615"},
		{big.NewInt(12), "HUGEINT", "12"},
		{1.0, "DOUBLE", "1.0"},
		{float32(2.5), "FLOAT", "2.5"},
		{true, "BOOLEAN", "true"},
		{duckdb.Decimal{Width: 4, Scale: 2, Value: big.NewInt(-105)}, "DECIMAL(4,2)", "-1.05"},
		{duckdb.Decimal{Width: 4, Scale: 3, Value: big.NewInt(5)}, "DECIMAL(4,3)", "0.005"},
		{ts, "TIMESTAMP", "2023-01-22 16:53:53.123"},
		{ts, "TIMESTAMP_NS", "2023-01-22 16:53:53.123"},
		{ts.In(time.FixedZone("x", 3600)), "TIMESTAMPTZ", "2023-01-22 16:53:53.123 UTC"},
		{ts, "DATE", "2023-01-22"},
		{ts, "TIME", "16:53:53.123"},
		{duckdb.Interval{Days: 2, Micros: 3_723_004_000}, "INTERVAL", "2 01:02:03.004"},
		{duckdb.Interval{Months: 14}, "INTERVAL", "1-2"},
		{duckdb.UUID{0x12, 0x34}, "UUID", "12340000-0000-0000-0000-000000000000"},
		{[]byte("hi"), "BLOB", "68 69"},
		{[]any{"a", nil, "b"}, "VARCHAR[]", "[a, null, b]"},
		{[]any{ts}, "TIMESTAMP WITH TIME ZONE[]", "[2023-01-22 16:53:53.123 UTC]"},
		{[]any{1.0, 2.5}, "DOUBLE[]", "[1.0, 2.5]"},
		{map[string]any{"a": 1.0, "b": []any{"x"}}, "JSON", `{"a":1,"b":["x"]}`},
		{"s", "JSON", `"s"`},
		{map[string]any{"a": "x<y&z"}, "JSON", `{"a":"x<y&z"}`},
		{*orderedMap("k1", "v1", "k2", nil), "MAP(VARCHAR, VARCHAR)", "{k1=v1, k2=null}"},
		{*orderedMap("a", map[string]any{"x": 1.0}), "MAP(VARCHAR, VARCHAR)", `{a={"x":1}}`},
		{map[string]any{"type": "IAMUser", "principalId": "AIDA", "sessionContext": map[string]any{"attributes": map[string]any{"creationDate": ts, "mfaAuthenticated": "false"}}},
			`STRUCT("type" VARCHAR, "principalId" VARCHAR, "sessionContext" STRUCT("attributes" STRUCT("creationDate" TIMESTAMP, "mfaAuthenticated" VARCHAR)))`,
			"{type=IAMUser, principalid=AIDA, sessioncontext={attributes={creationdate=2023-01-22 16:53:53.123, mfaauthenticated=false}}}"},
		{[]any{map[string]any{"ARN": "arn", "accountId": nil, "a \"q\"": 1}}, `STRUCT("ARN" VARCHAR, "accountId" VARCHAR, "a ""q""" INTEGER)[]`, `[{arn=arn, accountid=null, a "q"=1}]`},
		{*orderedMap("k", []any{int64(1)}), "MAP(VARCHAR, BIGINT[])", "{k=[1]}"},
	} {
		got := Render(c.v, c.typ)
		if got == nil || *got != c.want {
			t.Errorf("Render(%v, %s) = %v, want %s", c.v, c.typ, deref(got), c.want)
		}
	}
	if Render(nil, "VARCHAR") != nil {
		t.Error("NULL is not nil")
	}
}

func orderedMap(kv ...any) *duckdb.OrderedMap {
	m := &duckdb.OrderedMap{}
	for i := 0; i < len(kv); i += 2 {
		m.Set(kv[i], kv[i+1])
	}
	return m
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// TestRenderResults renders values as DuckDB returns them for the Lake
// columns.
func TestRenderResults(t *testing.T) {
	res := query(t, "SELECT userIdentity, resources, responseElements, tlsDetails, readOnly, eventTime, now() FROM eds1 WHERE eventName = 'AssumeRole'")
	want := []string{
		"{type=AssumedRole, principalid=AROAEXAMPLE:session, arn=arn:aws:sts::123456789012:assumed-role/Admin/s, accountid=123456789012, accesskeyid=AKIAEXAMPLE, username=null, " +
			"sessioncontext={attributes={creationdate=2023-01-22 16:00:00.000, mfaauthenticated=false}, sessionissuer={type=Role, principalid=AROAEXAMPLE, arn=arn:aws:iam::123456789012:role/Admin, accountid=123456789012, username=Admin}, " +
			"webidfederationdata=null, sourceidentity=null, ec2roledelivery=null, ec2issuedinvpc=null}, onbehalfof=null, inscopeof=null, invokedby=null, identityprovider=null}",
		"[{accountid=123456789012, type=AWS::IAM::Role, arn=arn:aws:iam::123456789012:role/Admin, arnprefix=null}]",
		"NULL",
		"{tlsversion=TLSv1.3, ciphersuite=TLS_AES_128_GCM_SHA256, clientprovidedhostheader=example.com}",
		"true",
		"2022-09-08 22:22:40.000",
	}
	for i, w := range want {
		if got := res.rows[0][i]; got != w {
			t.Errorf("%s:\n got %s\nwant %s", res.cols[i], got, w)
		}
	}
	if now := res.rows[0][6]; !strings.HasSuffix(now, " UTC") || len(now) != len("2006-01-02 15:04:05.000 UTC") {
		t.Errorf("now(): %s", now)
	}
}
