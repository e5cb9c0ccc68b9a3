package samplequeries

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// lakeFunctions are the functions the samples may call: the ones CloudTrail
// Lake's documentation and AWS's published Lake queries use (all are Trino
// functions).
var lakeFunctions = map[string]bool{
	"count": true, "sum": true, "min": true, "max": true, "avg": true,
	"approx_distinct": true, "arbitrary": true, "array_agg": true, "max_by": true, "min_by": true,
	"element_at": true, "cardinality": true, "map_keys": true, "map_values": true, "contains": true,
	"any_match": true, "filter": true, "transform": true,
	"json_extract": true, "json_extract_scalar": true, "json_parse": true, "json_format": true,
	"json_array_contains": true, "json_array_get": true, "json_array_length": true,
	"regexp_like": true, "lower": true, "upper": true, "replace": true,
	"coalesce": true, "date_add": true, "date_trunc": true, "date": true, "now": true,
	"current_timestamp": true, "day_of_week": true, "hour": true,
}

// sqlKeywords are words that may stand before "(" without being calls.
var sqlKeywords = map[string]bool{"in": true, "and": true, "or": true, "not": true, "as": true, "from": true, "join": true}

var aliasPattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9._\-]*$`)

// stripLiterals blanks out string literals and comments, so the checks
// below see only SQL syntax.
func stripLiterals(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		switch {
		case sql[i] == '\'':
			b.WriteString("''")
			for i++; i < len(sql); i++ {
				if sql[i] == '\'' {
					if i+1 < len(sql) && sql[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case strings.HasPrefix(sql[i:], "--"):
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		default:
			b.WriteByte(sql[i])
		}
	}
	return b.String()
}

func TestCatalogue(t *testing.T) {
	all := All()
	if len(all) < 40 {
		t.Errorf("only %d samples", len(all))
	}
	names, aliases := map[string]bool{}, map[string]bool{}
	nameWords := map[string]string{}
	for _, q := range all {
		if q.Name == "" || len(q.Name) > 60 || strings.TrimSpace(q.Name) != q.Name {
			t.Errorf("bad name %q", q.Name)
		}
		if names[strings.ToLower(q.Name)] {
			t.Errorf("duplicate name %q", q.Name)
		}
		names[strings.ToLower(q.Name)] = true
		// Distinct word sets keep every sample reachable by its own name.
		key := strings.Join(slices.Sorted(func(yield func(string) bool) {
			for w := range set(words(q.Name)) {
				if !yield(w) {
					return
				}
			}
		}), " ")
		if other, dup := nameWords[key]; dup {
			t.Errorf("%q and %q have the same search words", q.Name, other)
		}
		nameWords[key] = q.Name

		if !aliasPattern.MatchString(q.Alias) || len(q.Alias) > 256 || aliases[q.Alias] {
			t.Errorf("%s: bad or duplicate alias %q", q.Name, q.Alias)
		}
		aliases[q.Alias] = true

		d := q.Description
		if d == "" || !strings.HasSuffix(d, ".") || strings.Contains(strings.TrimSuffix(d, "."), ". ") ||
			!unicode.IsUpper([]rune(d)[0]) {
			t.Errorf("%s: description is not one sentence: %q", q.Name, d)
		}
		checkSQL(t, q)
	}
}

func checkSQL(t *testing.T, q Query) {
	t.Helper()
	sql := q.SQL
	if strings.TrimSpace(sql) == "" || len(sql) > 10000 {
		t.Errorf("%s: SQL empty or longer than QueryStatement allows", q.Name)
		return
	}
	if !strings.HasPrefix(sql, "SELECT ") {
		t.Errorf("%s: SQL does not start with SELECT", q.Name)
	}
	code := stripLiterals(sql)
	if strings.Contains(code, ";") {
		t.Errorf("%s: SQL has a semicolon", q.Name)
	}
	// StartQuery's QueryAlias handling fills every "?" with a parameter.
	if strings.Contains(sql, "?") {
		t.Errorf("%s: SQL contains ?", q.Name)
	}
	// $EDS_ID is the table, and only the table: every FROM or JOIN names
	// it, and it appears nowhere else (string literals such as the JSON
	// path '$.accessKeyId' aside).
	fields := strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ", ",", " , ").Replace(code))
	tables := 0
	for i, f := range fields {
		switch strings.ToUpper(f) {
		case "FROM", "JOIN":
			if i+1 >= len(fields) || fields[i+1] != "$EDS_ID" {
				t.Errorf("%s: %s is not followed by $EDS_ID", q.Name, f)
			}
		case "$EDS_ID":
			tables++
			if i == 0 || !slices.Contains([]string{"FROM", "JOIN"}, strings.ToUpper(fields[i-1])) {
				t.Errorf("%s: $EDS_ID used outside FROM/JOIN", q.Name)
			}
		}
	}
	if tables == 0 {
		t.Errorf("%s: no FROM $EDS_ID", q.Name)
	}
	if strings.Count(code, "$") != strings.Count(code, "$EDS_ID") {
		t.Errorf("%s: stray $ in SQL", q.Name)
	}
	if strings.Count(code, "(") != strings.Count(code, ")") {
		t.Errorf("%s: unbalanced parentheses", q.Name)
	}
	for _, m := range regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*\(`).FindAllStringSubmatch(code, -1) {
		fn := strings.ToLower(m[1])
		if !lakeFunctions[fn] && !sqlKeywords[fn] {
			t.Errorf("%s: calls %s, which is not on the Lake function list", q.Name, fn)
		}
	}
	// No Lake-only coercions: times are compared with timestamps, not strings.
	if regexp.MustCompile(`(?i)eventTime\s*[<>=]+\s*'`).MatchString(sql) {
		t.Errorf("%s: compares eventTime with a string literal", q.Name)
	}
}

func TestAllReturnsACopy(t *testing.T) {
	a := All()
	a[0].Name = "changed"
	if All()[0].Name == "changed" {
		t.Error("All exposes the catalogue")
	}
}

func TestByAlias(t *testing.T) {
	for _, q := range All() {
		got, ok := ByAlias(q.Alias)
		if !ok || got != q {
			t.Errorf("ByAlias(%q) = %v, %v", q.Alias, got.Name, ok)
		}
	}
	if _, ok := ByAlias("no-such-alias"); ok {
		t.Error("ByAlias found an unknown alias")
	}
}

func top(t *testing.T, phrase string) Result {
	t.Helper()
	rs := Search(phrase)
	if len(rs) == 0 {
		t.Fatalf("Search(%q) found nothing", phrase)
	}
	return rs[0]
}

func TestSearchRanking(t *testing.T) {
	for phrase, want := range map[string]string{
		"console login":                       "Console logins",
		"CONSOLE LOGIN":                       "Console logins",
		"console sign in":                     "Console logins",
		"root":                                "Root account activity",
		"who deleted a trail":                 "Who deleted a trail",
		"deleting trails":                     "Who deleted a trail",
		"logins without MFA":                  "Console logins without MFA",
		"failed logins":                       "Failed console logins",
		"security groups open to 0.0.0.0/0":   "Security groups opened to the internet",
		"S3 bucket policies":                  "S3 bucket policy changes",
		"kms key scheduled for deletion":      "KMS key deletion scheduled",
		"stopped logging":                     "Trail logging stopped or changed",
		"access denied":                       "Access denied by user",
		"top callers":                         "Top API callers",
		"events per region":                   "Events by Region",
		"errors by service":                   "Errors by service",
		"access keys created":                 "New access keys created",
		"activity from ip address":            "Activity from an IP address",
		"channel events by event source":      "Channel events by source",
		"IAM policy changes":                  "IAM policy changes",
		"assumed role activity":               "Assumed-role activity",
		"who assumed a role":                  "Who assumed which role",
		"most accessed s3 objects":            "Most accessed S3 objects",
		"show me the most frequent api calls": "Most frequent API actions",
	} {
		if got := top(t, phrase); got.Name != want {
			t.Errorf("Search(%q) ranks %q (%.3f) first, want %q", phrase, got.Name, got.Relevance, want)
		}
	}
}

func TestSearchFindsEachSampleByName(t *testing.T) {
	for _, q := range All() {
		got := top(t, q.Name)
		if got.Name != q.Name || got.Relevance != 1 {
			t.Errorf("Search(%q) ranks %q (%v) first", q.Name, got.Name, got.Relevance)
		}
	}
}

func TestSearchNothing(t *testing.T) {
	for _, phrase := range []string{"", "  ", "xyzzy plugh", "the of and", "?!"} {
		if rs := Search(phrase); len(rs) != 0 {
			t.Errorf("Search(%q) = %d results, first %q", phrase, len(rs), rs[0].Name)
		}
	}
}

func TestSearchOrderAndRange(t *testing.T) {
	for _, phrase := range []string{"console login", "events", "s3", "who changed iam roles and policies", "denied errors", "a"} {
		rs := Search(phrase)
		for i, r := range rs {
			if !(r.Relevance > 0 && r.Relevance <= 1) {
				t.Errorf("Search(%q): %q has relevance %v", phrase, r.Name, r.Relevance)
			}
			if i > 0 {
				p := rs[i-1]
				if p.Relevance < r.Relevance || p.Relevance == r.Relevance && p.Name > r.Name {
					t.Errorf("Search(%q): %q (%v) before %q (%v)", phrase, p.Name, p.Relevance, r.Name, r.Relevance)
				}
			}
		}
		if again := Search(phrase); !slices.Equal(again, rs) {
			t.Errorf("Search(%q) is not deterministic", phrase)
		}
	}
	// A word in the name counts for more than the same word in the SQL.
	rs := Search("mfa")
	if len(rs) < 2 || !strings.Contains(strings.ToLower(rs[0].Name), "mfa") {
		t.Errorf("Search(mfa) = %v", rs)
	}
	// Unknown words lower the relevance without hiding the match.
	exact, noisy := top(t, "root"), top(t, "root zzqx")
	if noisy.Name != exact.Name || !(noisy.Relevance < exact.Relevance) {
		t.Errorf("root: %v, root zzqx: %v", exact, noisy)
	}
}

func TestWords(t *testing.T) {
	for in, want := range map[string]string{
		"ConsoleLogin":               "consol login",
		"sourceIPAddress":            "sourc ip address",
		"Deleted, deleting, deletes": "delet delet delet",
		"policies Policy":            "policy policy",
		"stopped logging":            "stop log",
		"denied":                     "deny",
		"signin logon":               "login login",
		"The root of it":             "root",
		"EC2Instances":               "ec2 instanc",
	} {
		if got := strings.Join(words(in), " "); got != want {
			t.Errorf("words(%q) = %q, want %q", in, got, want)
		}
	}
}
