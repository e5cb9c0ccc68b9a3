package auditevents

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cairnhq/cairn/internal/events"
)

func FuzzBuild(f *testing.F) {
	seeds := []string{
		eventWith(),
		eventWith(member{"eventTime", `"2025-12-31T23:30:00.123-01:00"`}, member{"x", `[1,{"a":null}]`}),
		eventWith(member{"userIdentity", `{"type":"t","principalId":"p","details":{"k":"v"},"Type":1}`}),
		eventWith(member{"sourceIPAddress", `"2001:db8::1"`}, member{"errorCode", `"\u00e9\ud83d\ude00"`}),
		eventWith(member{"UID", ""}, member{"uid", `"u"`}),
		eventWith(member{"version", "1"}),
		eventWith(member{"recipientAccountId", `"999999999999"`}),
		strings.Replace(eventWith(), `"UID"`, `"\u0055ID":"a", "UID"`, 1),
		" {\n\"version\" : \"1\" } ",
		`{"version":"1","userIdentity":{"type":"t","principalId":"p"},"eventSource":"s","eventName":"n",` +
			`"eventTime":"2026-01-01T00:00:00","UID":"u","recipientAccountId":"123456789012"}`,
		`[]`, `{`, `nul`, "{\"a\":\"\xff\"}",
	}
	for _, s := range seeds {
		f.Add(s, uint8(0), "")
		f.Add(s, uint8(1), "")
	}
	f.Add(eventWith(), uint8(2), "AAAA")
	f.Fuzz(func(t *testing.T, data string, mode uint8, sum string) {
		e := Entry{ID: "id", EventData: data}
		switch mode % 3 {
		case 1:
			e.Checksum = checksum(data)
		case 2:
			e.Checksum = &sum
		}
		rec, fl := Build(e, channel, eventID, ingested)
		wantCode, wantTime := reference(e, channel)
		if fl != nil {
			checkFailure(t, fl)
			if fl.Code != wantCode {
				t.Fatalf("code %s (%s), reference says %q", fl.Code, fl.Message, wantCode)
			}
			return
		}
		if wantCode != "" {
			t.Fatalf("succeeded, reference says %s", wantCode)
		}
		checkRecord(t, rec, data)
		if got := rec.EventTime.Format(events.TimeFormat); got != wantTime {
			t.Fatalf("eventTime %s, reference says %s", got, wantTime)
		}
	})
}

// reference is Build's checks written plainly with encoding/json, for
// FuzzBuild to compare codes with. It returns "" and the normalized
// eventTime when the event is valid.
func reference(e Entry, ch Channel) (code, eventTime string) {
	data := e.EventData
	if e.Checksum != nil {
		sum := sha256.Sum256([]byte(data))
		if *e.Checksum != base64.StdEncoding.EncodeToString(sum[:]) {
			return CodeInvalidChecksum, ""
		}
	}

	trimmed := strings.TrimLeft(data, " \t\r\n")
	if !json.Valid([]byte(data)) || trimmed[0] != '{' || depth(data) > MaxDepth || !utf8.ValidString(data) {
		return CodeInvalidData, ""
	}
	top, ok := members(data)
	if !ok {
		return CodeInvalidData, ""
	}
	ui, uiObject := top["userIdentity"], false
	var uiMembers map[string][]json.RawMessage
	if len(ui) == 1 && ui[0][0] == '{' {
		uiObject = true
		if uiMembers, ok = members(string(ui[0])); !ok {
			return CodeInvalidData, ""
		}
	}
	for _, f := range refFields {
		if len(f.of(top, uiMembers)) > 1 {
			return CodeInvalidData, ""
		}
	}
	get := func(f refField) json.RawMessage {
		if vs := f.of(top, uiMembers); len(vs) == 1 {
			return vs[0]
		}
		return nil
	}
	usable := func(f refField) bool { return !f.inUI || uiObject }

	for _, f := range refFields {
		if !f.required || !usable(f) {
			continue
		}
		v := get(f)
		if v == nil || string(v) == "null" || (!f.object && string(v) == `""`) {
			return CodeFieldNotFound, ""
		}
	}

	for _, f := range refFields {
		v := get(f)
		if v == nil || !usable(f) || string(v) == "null" {
			continue
		}
		if f.object != (v[0] == '{') || (!f.object && v[0] != '"') {
			return CodeInvalidData, ""
		}
		var s string
		if !f.object {
			json.Unmarshal(v, &s)
		}
		switch f.name {
		case "eventTime":
			var ok bool
			if eventTime, ok = refTime(s); !ok {
				return CodeInvalidData, ""
			}
		case "sourceIPAddress":
			if s != "" && net.ParseIP(s) == nil {
				return CodeInvalidData, ""
			}
		}
	}

	for _, f := range refFields {
		v := get(f)
		if v == nil || !usable(f) || string(v) == "null" || f.max == 0 {
			continue
		}
		if f.object {
			var buf bytes.Buffer
			json.Compact(&buf, v)
			if buf.Len() > f.max {
				return CodeFieldTooLong, ""
			}
			continue
		}
		var s string
		json.Unmarshal(v, &s)
		if utf8.RuneCountInString(s) > f.max {
			return CodeFieldTooLong, ""
		}
	}

	var recipient string
	json.Unmarshal(get(refFields[len(refFields)-1]), &recipient)
	if recipient != ch.OwnerAccount {
		return CodeInvalidRecipient, ""
	}
	return "", eventTime
}

type refField struct {
	name             string
	inUI             bool
	required, object bool
	max              int
}

func (f refField) of(top, ui map[string][]json.RawMessage) []json.RawMessage {
	if f.inUI {
		return ui[f.name]
	}
	return top[f.name]
}

// refFields lists the schema in AWS's order, recipientAccountId last so
// that the recipient check can find it.
var refFields = []refField{
	{name: "version", required: true, max: 256},
	{name: "userIdentity", required: true, object: true},
	{name: "type", inUI: true, required: true, max: 128},
	{name: "principalId", inUI: true, required: true, max: 1024},
	{name: "details", inUI: true, object: true},
	{name: "userAgent", max: 1024},
	{name: "eventSource", required: true, max: 1024},
	{name: "eventName", required: true, max: 1024},
	{name: "eventTime", required: true},
	{name: "UID", required: true, max: 1024},
	{name: "requestParameters", object: true, max: 100 * 1024},
	{name: "responseElements", object: true, max: 100 * 1024},
	{name: "errorCode", max: 256},
	{name: "errorMessage", max: 256},
	{name: "sourceIPAddress"},
	{name: "additionalEventData", object: true, max: 28 * 1024},
	{name: "recipientAccountId", required: true},
}

// members lists an object's members by key, every occurrence kept.
func members(obj string) (map[string][]json.RawMessage, bool) {
	dec := json.NewDecoder(strings.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	out := map[string][]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		key := tok.(string)
		out[key] = append(out[key], raw)
	}
	return out, true
}

// depth is how deeply valid JSON nests.
func depth(s string) int {
	d, max, inString := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			d++
			if d > max {
				max = d
			}
		case c == '}' || c == ']':
			d--
		}
	}
	return max
}

var timeRE = regexp.MustCompile(`^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,9})?(Z|([+-])(\d\d):(\d\d))?$`)

func refTime(s string) (string, bool) {
	m := timeRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	if m[9] != "" && (n(10) > 23 || n(11) > 59) {
		return "", false
	}
	t := time.Date(n(1), time.Month(n(2)), n(3), n(4), n(5), n(6), 0, time.UTC)
	if t.Year() != n(1) || int(t.Month()) != n(2) || t.Day() != n(3) || t.Hour() != n(4) || t.Minute() != n(5) || t.Second() != n(6) {
		return "", false
	}
	if m[9] != "" {
		off := time.Duration(n(10))*time.Hour + time.Duration(n(11))*time.Minute
		if m[9] == "-" {
			off = -off
		}
		t = t.Add(-off)
	}
	if t.Before(time.Unix(0, 0)) || t.Year() > 9999 {
		return "", false
	}
	return t.Format(events.TimeFormat), true
}
