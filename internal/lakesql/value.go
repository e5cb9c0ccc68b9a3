package lakesql

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Render formats a result value as Lake's GetQueryResults does, which is
// Trino's text rendering: numbers plainly (doubles as Java prints them:
// 1.0, 1.5E10), timestamps "2023-01-22 16:53:53.000" in UTC (" UTC"
// appended with a time zone), dates "2023-01-22", maps {k=v, k2=v2},
// arrays [a, b], rows {field=value, ...} with lower-case field names,
// varbinary as hex bytes, JSON as its text. dbType is the DuckDB type name
// database/sql reports for the column. NULL is nil.
func Render(v any, dbType string) *string { return Renderer(dbType)(v) }

// Renderer returns Render for one column type, its type name parsed once:
// results call it for every value of the column.
func Renderer(dbType string) func(v any) *string {
	t := parseType(dbType)
	return func(v any) *string {
		if v == nil {
			return nil
		}
		var b strings.Builder
		writeValue(&b, v, t)
		s := b.String()
		return &s
	}
}

// dtype is a parsed DuckDB type name.
type dtype struct {
	name   string // upper case: VARCHAR, TIMESTAMPTZ, LIST, MAP, STRUCT, ...
	elem   *dtype // LIST and ARRAY elements; MAP values
	key    *dtype // MAP keys
	fields []field
}

type field struct {
	name string
	t    *dtype
}

func parseType(s string) *dtype {
	t, _ := parseTypeAt(s, 0)
	return t
}

func parseTypeAt(s string, i int) (*dtype, int) {
	skip := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	skip()
	start := i
	for i < len(s) && (isWord(s[i]) || s[i] == ' ' && i+1 < len(s) && isLetter(s[i+1]) && !strings.HasPrefix(strings.ToUpper(s[start:i]), "STRUCT")) {
		i++
	}
	t := &dtype{name: strings.ToUpper(strings.TrimSpace(s[start:i]))}
	if i < len(s) && s[i] == '(' {
		switch t.name {
		case "STRUCT":
			i++
			for {
				skip()
				var name string
				if i < len(s) && s[i] == '"' {
					j := i + 1
					var nb strings.Builder
					for j < len(s) {
						if s[j] == '"' {
							if j+1 < len(s) && s[j+1] == '"' {
								nb.WriteByte('"')
								j += 2
								continue
							}
							break
						}
						nb.WriteByte(s[j])
						j++
					}
					name, i = nb.String(), j+1
				} else {
					j := i
					for j < len(s) && s[j] != ' ' {
						j++
					}
					name, i = s[i:j], j
				}
				var ft *dtype
				ft, i = parseTypeAt(s, i)
				t.fields = append(t.fields, field{name, ft})
				skip()
				if i < len(s) && s[i] == ',' {
					i++
					continue
				}
				break
			}
			i++
		case "MAP":
			t.key, i = parseTypeAt(s, i+1)
			skip()
			t.elem, i = parseTypeAt(s, i+1)
			skip()
			i++
		default:
			depth := 0
			for ; i < len(s); i++ {
				if s[i] == '(' {
					depth++
				} else if s[i] == ')' {
					depth--
					if depth == 0 {
						i++
						break
					}
				}
			}
		}
	}
	for i < len(s) && s[i] == '[' {
		j := strings.IndexByte(s[i:], ']')
		if j < 0 {
			break
		}
		t = &dtype{name: "LIST", elem: t}
		i += j + 1
	}
	return t, i
}

func writeValue(b *strings.Builder, v any, t *dtype) {
	if t == nil {
		t = &dtype{}
	}
	if v == nil {
		b.WriteString("null")
		return
	}
	if t.name == "JSON" {
		writeJSON(b, v)
		return
	}
	if _, isString := v.(string); t.name == "VARCHAR" && !isString {
		// The driver reports JSON nested in a MAP or LIST as VARCHAR but
		// hands over the decoded value.
		writeJSON(b, v)
		return
	}
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, uint:
		fmt.Fprint(b, x)
	case *big.Int:
		b.WriteString(x.String())
	case float64:
		b.WriteString(javaDouble(x, 64))
	case float32:
		b.WriteString(javaDouble(float64(x), 32))
	case duckdb.Decimal:
		b.WriteString(decimalText(x))
	case time.Time:
		writeTime(b, x, t.name)
	case duckdb.Interval:
		writeInterval(b, x)
	case duckdb.UUID:
		b.WriteString(x.String())
	case *duckdb.UUID:
		b.WriteString(x.String())
	case []byte:
		for i, c := range x {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(hex.EncodeToString([]byte{c}))
		}
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, e, t.elem)
		}
		b.WriteByte(']')
	case duckdb.OrderedMap:
		writeMap(b, x.Keys(), x.Values(), t)
	case *duckdb.OrderedMap:
		writeMap(b, x.Keys(), x.Values(), t)
	case duckdb.Map:
		keys := make([]any, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i] = x[k]
		}
		writeMap(b, keys, vals, t)
	case map[string]any:
		if t.name != "STRUCT" {
			writeJSON(b, x) // a JSON object inside a nested value
			return
		}
		b.WriteByte('{')
		for i, f := range t.fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strings.ToLower(f.name))
			b.WriteByte('=')
			writeValue(b, x[f.name], f.t)
		}
		b.WriteByte('}')
	case duckdb.Union:
		writeValue(b, x.Value, nil)
	default:
		fmt.Fprint(b, x)
	}
}

func writeMap(b *strings.Builder, keys, vals []any, t *dtype) {
	b.WriteByte('{')
	for i := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		writeValue(b, keys[i], t.key)
		b.WriteByte('=')
		writeValue(b, vals[i], t.elem)
	}
	b.WriteByte('}')
}

// writeJSON writes a value the driver decoded from JSON back as JSON
// text.
func writeJSON(b *strings.Builder, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprint(b, v)
		return
	}
	b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func writeTime(b *strings.Builder, t time.Time, typ string) {
	t = t.UTC()
	switch typ {
	case "DATE":
		b.WriteString(t.Format("2006-01-02"))
	case "TIME":
		b.WriteString(t.Format("15:04:05.000"))
	case "TIMETZ":
		b.WriteString(t.Format("15:04:05.000-07:00"))
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		b.WriteString(t.Format("2006-01-02 15:04:05.000") + " UTC")
	default:
		b.WriteString(t.Format("2006-01-02 15:04:05.000"))
	}
}

// writeInterval writes an interval as Trino does: "D HH:MM:SS.mmm" for
// day-to-second intervals, "Y-M" for year-to-month ones.
func writeInterval(b *strings.Builder, iv duckdb.Interval) {
	if iv.Months != 0 && iv.Days == 0 && iv.Micros == 0 {
		m := int64(iv.Months)
		sign := ""
		if m < 0 {
			sign, m = "-", -m
		}
		fmt.Fprintf(b, "%s%d-%d", sign, m/12, m%12)
		return
	}
	ms := int64(iv.Days)*86_400_000 + int64(iv.Months)*30*86_400_000 + iv.Micros/1000
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	fmt.Fprintf(b, "%s%d %02d:%02d:%02d.%03d", sign, ms/86_400_000, ms/3_600_000%24, ms/60_000%60, ms/1000%60, ms%1000)
}

func decimalText(d duckdb.Decimal) string {
	s := new(big.Int).Abs(d.Value).String()
	sign := ""
	if d.Value.Sign() < 0 {
		sign = "-"
	}
	if d.Scale == 0 {
		return sign + s
	}
	sc := int(d.Scale)
	if len(s) <= sc {
		s = strings.Repeat("0", sc-len(s)+1) + s
	}
	return sign + s[:len(s)-sc] + "." + s[len(s)-sc:]
}

// javaDouble formats a float as Java's Double.toString (Float.toString
// for bits 32): the shortest digits that identify the value, in plain
// notation between 10^-3 and 10^7, else as d.dddE<n>.
func javaDouble(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	e := strconv.FormatFloat(f, 'e', -1, bits) // d.ddde±XX
	if !strings.Contains(e, ".") {
		// Java writes two digits at least, choosing the closer pair when it
		// identifies the value too (4.9E-324, not 5.0E-324).
		if two := strconv.FormatFloat(f, 'e', 1, bits); parses(two, f, bits) {
			e = two
		}
	}
	mant, exps, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(exps)
	digits := strings.Replace(mant, ".", "", 1)
	if f >= 1e-3 && f < 1e7 {
		point := exp + 1 // digits before the decimal point
		var s string
		switch {
		case point <= 0:
			s = "0." + strings.Repeat("0", -point) + digits
		case point >= len(digits):
			s = digits + strings.Repeat("0", point-len(digits)) + ".0"
		default:
			s = digits[:point] + "." + digits[point:]
		}
		if strings.HasSuffix(s, "0") && !strings.HasSuffix(s, ".0") {
			s = strings.TrimRight(s, "0")
		}
		return sign + s
	}
	frac := strings.TrimRight(digits[1:], "0")
	if frac == "" {
		frac = "0"
	}
	return sign + digits[:1] + "." + frac + "E" + strconv.Itoa(exp)
}

func parses(s string, f float64, bits int) bool {
	g, err := strconv.ParseFloat(s, bits)
	return err == nil && g == f
}
