package samplequeries

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// Query is one sample query.
type Query struct {
	Name        string
	Description string
	SQL         string // Trino SQL; the table is $EDS_ID
	Alias       string // stable QueryAlias naming the sample
}

// Result is a sample query with its relevance to a search phrase.
type Result struct {
	Query
	Relevance float32 // in (0, 1]
}

// All returns every sample query, in catalogue order.
func All() []Query {
	return slices.Clone(samples)
}

// ByAlias returns the sample query with the given QueryAlias.
func ByAlias(alias string) (Query, bool) {
	i, ok := loadIndex().byAlias[alias]
	if !ok {
		return Query{}, false
	}
	return samples[i], true
}

// Field weights of a word match, relative to a match in the name.
const (
	nameWeight        = 1.0
	descriptionWeight = 2.0 / 3
	sqlWeight         = 1.0 / 3

	coverageShare = 0.85 // the rest rewards names the phrase covers
)

// Search ranks the samples for phrase: relevance from how well the
// phrase's words (case-insensitive, simple stemming of plurals/-ing/-ed,
// stop words ignored) match the name (weighted most), description and SQL;
// results with relevance 0 are left out; ties broken by name. Relevance is
// in (0, 1]. The package documentation gives the formula.
func Search(phrase string) []Result {
	terms := unique(words(phrase))
	if len(terms) == 0 {
		return nil
	}
	ix := loadIndex()
	idf := make([]float64, len(terms))
	var total float64
	for i, t := range terms {
		idf[i] = math.Log(1 + float64(len(samples))/float64(1+ix.df[t]))
		total += idf[i]
	}
	var out []Result
	for i, d := range ix.docs {
		var score float64
		covered := 0
		for j, t := range terms {
			switch {
			case d.name[t]:
				score += idf[j] * nameWeight
				covered++
			case d.description[t]:
				score += idf[j] * descriptionWeight
			case d.sql[t]:
				score += idf[j] * sqlWeight
			}
		}
		if score == 0 {
			continue
		}
		coverage := score / total
		precision := 0.0
		if len(d.name) > 0 {
			precision = float64(covered) / float64(len(d.name))
		}
		rel := float32(coverageShare*coverage + (1-coverageShare)*precision*coverage)
		if rel <= 0 {
			continue
		}
		out = append(out, Result{Query: samples[i], Relevance: min(rel, 1)})
	}
	slices.SortStableFunc(out, func(a, b Result) int {
		switch {
		case a.Relevance > b.Relevance:
			return -1
		case a.Relevance < b.Relevance:
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

type document struct {
	name, description, sql map[string]bool
}

type index struct {
	docs    []document
	df      map[string]int // samples whose text has the word
	byAlias map[string]int
}

var loadIndex = sync.OnceValue(func() *index {
	ix := &index{df: map[string]int{}, byAlias: map[string]int{}}
	for i, q := range samples {
		d := document{name: set(words(q.Name)), description: set(words(q.Description)), sql: set(words(q.SQL))}
		ix.docs = append(ix.docs, d)
		all := map[string]bool{}
		for _, m := range []map[string]bool{d.name, d.description, d.sql} {
			for w := range m {
				all[w] = true
			}
		}
		for w := range all {
			ix.df[w]++
		}
		ix.byAlias[q.Alias] = i
	}
	return ix
})

// words splits s into lower-case, stemmed words without stop words.
func words(s string) []string {
	var out []string
	for _, raw := range split(s) {
		w := strings.ToLower(raw)
		if stopWords[w] {
			continue
		}
		w = stem(w)
		if syn, ok := synonyms[w]; ok {
			w = syn
		}
		if w != "" && !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// split cuts s into runs of letters and digits, also cutting camelCase
// runs before an upper-case letter that follows a lower-case one
// (eventName) or that starts a new word after capitals or digits
// (IPAddress, EC2Instances).
func split(s string) []string {
	var out []string
	rs := []rune(s)
	start := -1
	for i, r := range rs {
		alnum := unicode.IsLetter(r) || unicode.IsDigit(r)
		if !alnum {
			if start >= 0 {
				out = append(out, string(rs[start:i]))
				start = -1
			}
			continue
		}
		if start >= 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || (unicode.IsUpper(prev) || unicode.IsDigit(prev)) && nextLower {
				out = append(out, string(rs[start:i]))
				start = i
			}
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, string(rs[start:]))
	}
	return out
}

// stem reduces a lower-case word with a few suffix rules: enough for
// plurals and verb forms of the catalogue's vocabulary to meet.
func stem(w string) string {
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		w = w[:n-3] + "y"
	case n > 4 && strings.HasSuffix(w, "ied"):
		w = w[:n-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") &&
		!strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:n-1]
	}
	n = len(w)
	switch {
	case n > 5 && strings.HasSuffix(w, "ing"):
		w = undouble(w[:n-3])
	case n > 4 && strings.HasSuffix(w, "ed"):
		w = undouble(w[:n-2])
	case n > 6 && strings.HasSuffix(w, "tion"):
		w = w[:n-3]
	}
	if n := len(w); n > 3 && strings.HasSuffix(w, "e") {
		w = w[:n-1]
	}
	return w
}

// undouble turns a doubled final consonant into one (stopp -> stop), but
// keeps ll, ss and zz (call, access).
func undouble(w string) string {
	n := len(w)
	if n >= 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouylsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

func unique(ws []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range ws {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func set(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// synonyms maps stems to the stem the catalogue uses.
var synonyms = map[string]string{
	"signin": "login",
	"logon":  "login",
}

// stopWords are ignored in phrases and in the catalogue.
var stopWords = set(strings.Fields(`
a about all an and any are as at be been by can could did do does for from
give had has have how i if in into is it its list me my of on or our out
please show shows so some than that the their them then there these they
this those to us was we were what when where which who whom why will with
you your find get see tell want need`))
