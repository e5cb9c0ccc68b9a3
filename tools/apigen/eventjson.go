package main

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// eventJSON writes AppendEventJSON for every structure: the encoder of
// requestParameters and responseElements in event records. It writes what
// encoding/json writes for the generated structure, except that member
// names start with a lower-case letter and members are sorted by that name
// (the record format's spelling and order), in one pass without
// reflection. Members bound to the query string are left out, as
// encoding/json leaves them out (json:"-"); sensitive members are written
// as api.HiddenValue.
func (g *generator) eventJSON() ([]byte, error) {
	var body bytes.Buffer
	usesStrconv := false
	for _, id := range sortedIDs(g.structs) {
		s := g.m.Shapes[id]
		if _, isErr := s.Traits["smithy.api#error"]; isErr {
			continue
		}
		name := local(id)
		type field struct{ member, key string }
		var fields []field
		for _, mn := range sortedKeys(s.Members) {
			if _, ok := s.Members[mn].Traits["smithy.api#httpQuery"]; ok {
				continue
			}
			fields = append(fields, field{mn, lowerFirst(mn)})
		}
		sort.SliceStable(fields, func(i, j int) bool { return fields[i].key < fields[j].key })
		fmt.Fprintf(&body, "// AppendEventJSON appends s as event records carry it (see api.EventJSONAppender).\n")
		fmt.Fprintf(&body, "func (s *%s) AppendEventJSON(b []byte) []byte {\n\tb = append(b, '{')\n", name)
		for _, f := range fields {
			mem := s.Members[f.member]
			goField := "s." + exported(f.member)
			kind := g.kindOf(mem.Target)
			present := goField + " != nil"
			value := goField
			switch kind {
			case "enum":
				present = goField + ` != ""`
			case "string", "boolean", "integer", "long", "float", "double":
				value = "*" + goField
			case "timestamp":
				// AppendJSON has a value receiver: the pointer calls it.
			}
			fmt.Fprintf(&body, "\tif %s {\n\t\tb = api.AppendJSONKey(b, %s)\n", present, strconv.Quote(strconv.Quote(f.key)+":"))
			if g.sensitive(mem) {
				body.WriteString("\t\tb = api.AppendJSONString(b, api.HiddenValue)\n")
			} else {
				code, conv := g.appendValue(mem.Target, value, 0, false)
				usesStrconv = usesStrconv || conv
				body.WriteString(code)
			}
			body.WriteString("\t}\n")
		}
		body.WriteString("\treturn append(b, '}')\n}\n\n")
	}
	imports := []string{"github.com/cairnhq/cairn/internal/api"}
	if usesStrconv {
		imports = append(imports, "strconv")
	}
	b := header(g.pkg, imports...)
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// kindOf is the Smithy type of a shape: a prelude scalar's name in lower
// case, else the shape's type.
func (g *generator) kindOf(target string) string {
	if strings.HasPrefix(target, "smithy.api#") {
		return strings.ToLower(local(target))
	}
	return g.m.Shapes[target].Type
}

// sensitive reports whether the member or its target carries the
// sensitive trait.
func (g *generator) sensitive(mem *member) bool {
	_, ok := g.traitsOf(mem)["smithy.api#sensitive"]
	return ok
}

// appendValue returns statements appending the value of expr, an
// expression of the Go type of a target shape that is not a field pointer
// (a dereferenced scalar, an element or a map value), and whether they use
// strconv. nested is true for elements of lists and maps, where encoding/json
// writes a nil slice, map or blob as null.
func (g *generator) appendValue(target, expr string, depth int, nested bool) (string, bool) {
	kind := g.kindOf(target)
	var b strings.Builder
	conv := false
	switch kind {
	case "string":
		fmt.Fprintf(&b, "b = api.AppendJSONString(b, %s)\n", expr)
	case "enum":
		fmt.Fprintf(&b, "b = api.AppendJSONString(b, string(%s))\n", expr)
	case "boolean":
		fmt.Fprintf(&b, "b = strconv.AppendBool(b, %s)\n", expr)
		conv = true
	case "integer", "long":
		fmt.Fprintf(&b, "b = strconv.AppendInt(b, int64(%s), 10)\n", expr)
		conv = true
	case "float":
		fmt.Fprintf(&b, "b = api.AppendJSONFloat(b, float64(%s), 32)\n", expr)
	case "double":
		fmt.Fprintf(&b, "b = api.AppendJSONFloat(b, float64(%s), 64)\n", expr)
	case "timestamp":
		fmt.Fprintf(&b, "b = %s.AppendJSON(b)\n", expr)
	case "blob":
		fmt.Fprintf(&b, "b = api.AppendJSONBlob(b, %s)\n", expr)
	case "structure":
		fmt.Fprintf(&b, "b = %s.AppendEventJSON(b)\n", expr)
	case "list", "set":
		s := g.m.Shapes[target]
		i := fmt.Sprintf("i%d", depth)
		elem := fmt.Sprintf("%s[%s]", expr, i)
		inner, c := g.appendValue(s.Member.Target, elem, depth+1, true)
		conv = conv || c
		if nested {
			fmt.Fprintf(&b, "if %s == nil {\nb = append(b, \"null\"...)\n} else {\n", expr)
		}
		fmt.Fprintf(&b, "b = append(b, '[')\nfor %s := range %s {\nif %s > 0 {\nb = append(b, ',')\n}\n%s}\nb = append(b, ']')\n", i, expr, i, inner)
		if nested {
			b.WriteString("}\n")
		}
	case "map":
		s := g.m.Shapes[target]
		i, k, v := fmt.Sprintf("i%d", depth), fmt.Sprintf("k%d", depth), fmt.Sprintf("v%d", depth)
		inner, c := g.appendValue(s.Value.Target, v, depth+1, true)
		conv = conv || c
		if nested {
			fmt.Fprintf(&b, "if %s == nil {\nb = append(b, \"null\"...)\n} else {\n", expr)
		}
		fmt.Fprintf(&b, "b = append(b, '{')\nfor %s, %s := range api.SortedKeys(%s) {\nif %s > 0 {\nb = append(b, ',')\n}\nb = api.AppendJSONString(b, %s)\nb = append(b, ':')\n%s := %s[%s]\n%s}\nb = append(b, '}')\n",
			i, k, expr, i, k, v, expr, k, inner)
		if nested {
			b.WriteString("}\n")
		}
	default:
		panic("unsupported shape type " + kind)
	}
	return b.String(), conv
}

// lowerFirst lower-cases an ASCII upper-case first letter, as event
// records spell member names.
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
