package lakesql

import (
	"fmt"
	"regexp"
	"strings"
)

// call is a parsed function call.
type call struct {
	name, written string
	start, close  int // the name's token; the closing parenthesis
	nulls         int // IGNORE/RESPECT NULLS, when given
	star          bool
	distinct      bool
	orderBy       bool
	filter        bool
	over          bool
	args          []*node
	exprs         []expr
	node          *node
	retShape      shapeFn // set by a custom rendering that knows the result's shape
}

type fnKind uint8

const (
	scalar fnKind = iota
	aggregate
	window
)

// fnSpec says how a Trino function is computed on DuckDB: by at most one
// of rename (or renames), tmpl and custom; with none, by DuckDB's function
// of the same name.
type fnSpec struct {
	min, max    int // number of arguments; max < 0: any
	kind        fnKind
	rename      string         // a DuckDB function taking the same arguments
	renames     map[int]string // or one by number of arguments
	keep        int            // rename: pass only the first keep arguments (0: all)
	tmpl        map[int]string // by number of arguments (-1: any); @1..@9 are the arguments, @* all of them
	custom      func(p *parser, c *call)
	lambdas     map[int]int // argument position (0-based) → parameters of the lambda expected there
	ret         shape       // shape of the result
	retArg      int         // or: the shape of this argument (1-based)
	unsupported bool        // a Trino function Cairn does not compute
}

// functions maps Trino function names to their DuckDB computation. Names
// not here are rejected as Trino rejects unknown functions, which also
// keeps DuckDB's own functions (read_csv, getenv, ...) out of reach.
var functions = map[string]*fnSpec{}

func def(names string, s fnSpec) {
	for _, n := range strings.Fields(names) {
		c := s
		functions[n] = &c
	}
}

func any1(t string) map[int]string { return map[int]string{-1: t} }

func init() {
	// Aggregates.
	def("count", fnSpec{min: 0, max: 1, kind: aggregate, rename: "count", ret: sNum})
	def("sum avg", fnSpec{min: 1, max: 1, kind: aggregate, ret: sNum})
	def("min max", fnSpec{min: 1, max: 2, kind: aggregate, retArg: 1})
	def("arbitrary any_value", fnSpec{min: 1, max: 1, kind: aggregate, rename: "any_value", retArg: 1})
	def("array_agg", fnSpec{min: 1, max: 1, kind: aggregate, ret: sList})
	def("approx_distinct", fnSpec{min: 1, max: 2, kind: aggregate, rename: "approx_count_distinct", keep: 1, ret: sNum})
	def("approx_percentile", fnSpec{min: 2, max: 2, kind: aggregate, rename: "quantile_disc", retArg: 1})
	def("approx_most_frequent", fnSpec{min: 3, max: 3, kind: aggregate, tmpl: any1("lake_top_k(histogram(@2), @1)"), ret: sMap})
	def("bitwise_and_agg", fnSpec{min: 1, max: 1, kind: aggregate, rename: "bit_and", ret: sNum})
	def("bitwise_or_agg", fnSpec{min: 1, max: 1, kind: aggregate, rename: "bit_or", ret: sNum})
	def("bitwise_xor_agg", fnSpec{min: 1, max: 1, kind: aggregate, rename: "bit_xor", ret: sNum})
	def("bool_and every", fnSpec{min: 1, max: 1, kind: aggregate, rename: "bool_and", ret: sBool})
	def("bool_or", fnSpec{min: 1, max: 1, kind: aggregate, ret: sBool})
	def("count_if", fnSpec{min: 1, max: 1, kind: aggregate, ret: sNum})
	def("corr covar_pop covar_samp regr_intercept regr_slope", fnSpec{min: 2, max: 2, kind: aggregate, ret: sNum})
	def("geometric_mean kurtosis stddev_samp stddev_pop var_samp var_pop", fnSpec{min: 1, max: 1, kind: aggregate, ret: sNum})
	// Trino's skewness is Fisher's moment coefficient; DuckDB's corrects
	// it for the sample size.
	def("skewness", fnSpec{min: 1, max: 1, kind: aggregate, ret: sNum,
		tmpl: any1("(skewness(@1) * (count(@1) - 2) / sqrt(count(@1) * (count(@1) - 1)))")})
	def("stddev", fnSpec{min: 1, max: 1, kind: aggregate, rename: "stddev_samp", ret: sNum})
	def("variance", fnSpec{min: 1, max: 1, kind: aggregate, rename: "var_samp", ret: sNum})
	def("histogram", fnSpec{min: 1, max: 1, kind: aggregate, ret: sMap})
	def("map_agg", fnSpec{min: 2, max: 2, kind: aggregate, tmpl: any1("lake_map_agg(array_agg({'key': @1, 'value': @2}))"), ret: sMap})
	def("map_union", fnSpec{min: 1, max: 1, kind: aggregate, tmpl: any1("lake_map_union(array_agg(@1))"), ret: sMap})
	// DuckDB's max_by skips rows whose value is NULL, Trino's does not.
	def("max_by", fnSpec{min: 2, max: 3, kind: aggregate, renames: map[int]string{2: "arg_max_null"}, retArg: 1})
	def("min_by", fnSpec{min: 2, max: 3, kind: aggregate, renames: map[int]string{2: "arg_min_null"}, retArg: 1})
	def("checksum multimap_agg numeric_histogram approx_set merge qdigest_agg tdigest_agg",
		fnSpec{unsupported: true})

	// Window functions.
	def("cume_dist dense_rank percent_rank rank row_number", fnSpec{min: 0, max: 0, kind: window, ret: sNum})
	def("ntile", fnSpec{min: 1, max: 1, kind: window, ret: sNum})
	def("first_value last_value", fnSpec{min: 1, max: 1, kind: window, retArg: 1})
	def("nth_value", fnSpec{min: 2, max: 2, kind: window, retArg: 1})
	def("lag lead", fnSpec{min: 1, max: 3, kind: window, retArg: 1})

	// Strings.
	def("chr", fnSpec{min: 1, max: 1, ret: sStr})
	def("codepoint", fnSpec{min: 1, max: 1, rename: "unicode", ret: sNum})
	def("concat", fnSpec{min: 1, max: -1, custom: concat})
	def("concat_ws", fnSpec{min: 2, max: -1, custom: concatWS, ret: sStr})
	def("ends_with starts_with", fnSpec{min: 2, max: 2, ret: sBool})
	def("format", fnSpec{min: 1, max: -1, rename: "printf", ret: sStr})
	def("from_utf8", fnSpec{min: 1, max: 1, rename: "decode", ret: sStr})
	def("to_utf8", fnSpec{min: 1, max: 1, rename: "encode", ret: sBlob})
	def("hamming_distance", fnSpec{min: 2, max: 2, rename: "hamming", ret: sNum})
	def("levenshtein_distance", fnSpec{min: 2, max: 2, rename: "levenshtein", ret: sNum})
	def("length", fnSpec{min: 1, max: 1, ret: sNum})
	def("lower upper ltrim rtrim", fnSpec{min: 1, max: 1, ret: sStr})
	def("lpad rpad", fnSpec{min: 3, max: 3, ret: sStr})
	def("replace", fnSpec{min: 2, max: 3, tmpl: map[int]string{2: "replace(@1, @2, '')", 3: "replace(@*)"}, ret: sStr})
	def("reverse", fnSpec{min: 1, max: 1, custom: reverse})
	def("split", fnSpec{min: 2, max: 3, tmpl: map[int]string{2: "string_split(@1, @2)", 3: "lake_split(@1, @2, @3)"}, ret: sList})
	def("split_part", fnSpec{min: 3, max: 3, tmpl: any1("(string_split(@1, @2))[@3]"), ret: sStr})
	def("split_to_map", fnSpec{min: 3, max: 3, tmpl: any1("lake_split_to_map(@1, @2, @3)"), ret: sMap})
	def("strpos", fnSpec{min: 2, max: 2, ret: sNum})
	def("substr substring", fnSpec{min: 2, max: 3, rename: "substring", ret: sStr})
	def("translate", fnSpec{min: 3, max: 3, ret: sStr})
	// Trino encodes as Java's URLEncoder: a space is +, * stays, ~ does not.
	def("url_encode", fnSpec{min: 1, max: 1, tmpl: any1("replace(replace(replace(url_encode(@1), '%20', '+'), '%2A', '*'), '~', '%7E')"), ret: sStr})
	def("url_decode", fnSpec{min: 1, max: 1, tmpl: any1("url_decode(replace(@1, '+', ' '))"), ret: sStr})
	def("url_extract_fragment url_extract_host url_extract_path url_extract_protocol url_extract_query",
		fnSpec{min: 1, max: 1, custom: macroCall, ret: sStr})
	def("url_extract_port", fnSpec{min: 1, max: 1, custom: macroCall, ret: sNum})
	def("url_extract_parameter", fnSpec{min: 2, max: 2, custom: macroCall, ret: sStr})
	def("luhn_check soundex word_stem split_to_multimap", fnSpec{unsupported: true})

	// Regular expressions (DuckDB's are RE2, Trino's Java-like: most
	// patterns read the same).
	def("regexp_like", fnSpec{min: 2, max: 2, rename: "regexp_matches", ret: sBool})
	def("regexp_extract", fnSpec{min: 2, max: 3, tmpl: map[int]string{2: "lake_regexp_extract(@1, @2, 0)", 3: "lake_regexp_extract(@*)"}, ret: sStr})
	def("regexp_extract_all", fnSpec{min: 2, max: 3, ret: sList})
	def("regexp_replace", fnSpec{min: 2, max: 3, custom: regexpReplace, ret: sStr})
	def("regexp_split", fnSpec{min: 2, max: 2, rename: "string_split_regex", ret: sList})
	def("regexp_count", fnSpec{min: 2, max: 2, tmpl: any1("len(regexp_extract_all(@1, @2))"), ret: sNum})
	def("regexp_position", fnSpec{min: 2, max: 2, tmpl: any1("lake_regexp_position(@1, @2)"), ret: sNum})

	// JSON.
	def("json_extract", fnSpec{min: 2, max: 2, custom: jsonPath("lake_json_extract(@1, @2)"), ret: sJSON})
	def("json_extract_scalar", fnSpec{min: 2, max: 2, custom: jsonPath("lake_json_extract_scalar(@1, @2)"), ret: sStr})
	def("json_size", fnSpec{min: 2, max: 2, custom: jsonPath("lake_json_size(@1, @2)"), ret: sNum})
	def("json_array_get", fnSpec{min: 2, max: 2, tmpl: any1("lake_json_array_get(@1, @2)"), ret: sJSON})
	def("json_array_contains", fnSpec{min: 2, max: 2, tmpl: any1("lake_json_array_contains(@1, @2)"), ret: sBool})
	def("json_array_length", fnSpec{min: 1, max: 1, tmpl: any1("lake_json_array_length(@1)"), ret: sNum})
	def("json_format", fnSpec{min: 1, max: 1, tmpl: any1("CAST(json(@1) AS VARCHAR)"), ret: sStr})
	def("json_parse", fnSpec{min: 1, max: 1, rename: "json", ret: sJSON})
	def("is_json_scalar", fnSpec{min: 1, max: 1, tmpl: any1("lake_is_json_scalar(@1)"), ret: sBool})

	// Arrays.
	def("all_match", fnSpec{min: 2, max: 2, lambdas: map[int]int{1: 1}, tmpl: any1("lake_all_match(list_transform(@1, @2))"), ret: sBool})
	def("any_match", fnSpec{min: 2, max: 2, lambdas: map[int]int{1: 1}, tmpl: any1("lake_any_match(list_transform(@1, @2))"), ret: sBool})
	def("none_match", fnSpec{min: 2, max: 2, lambdas: map[int]int{1: 1}, tmpl: any1("lake_none_match(list_transform(@1, @2))"), ret: sBool})
	def("filter", fnSpec{min: 2, max: 2, lambdas: map[int]int{1: 1}, rename: "list_filter", retArg: 1})
	def("transform", fnSpec{min: 2, max: 2, lambdas: map[int]int{1: 1}, rename: "list_transform", ret: sList})
	def("reduce", fnSpec{min: 4, max: 4, lambdas: map[int]int{2: 2, 3: 1}, custom: reduce})
	def("zip_with", fnSpec{min: 3, max: 3, lambdas: map[int]int{2: 2}, custom: zipWith, ret: sList})
	def("array_distinct", fnSpec{min: 1, max: 1, rename: "lake_array_distinct", ret: sList})
	def("array_except", fnSpec{min: 2, max: 2, rename: "lake_array_except", ret: sList})
	def("array_intersect", fnSpec{min: 2, max: 2, rename: "lake_array_intersect", ret: sList})
	def("array_union", fnSpec{min: 2, max: 2, tmpl: any1("lake_array_distinct(list_concat(@1, @2))"), ret: sList})
	def("array_join", fnSpec{min: 2, max: 3, tmpl: map[int]string{
		2: "array_to_string(@1, @2)",
		3: "array_to_string(list_transform(@1, lambda lake_x: coalesce(CAST(lake_x AS VARCHAR), @3)), @2)"}, ret: sStr})
	def("array_max", fnSpec{min: 1, max: 1, rename: "lake_array_max"})
	def("array_min", fnSpec{min: 1, max: 1, rename: "lake_array_min"})
	def("array_position", fnSpec{min: 2, max: 2, rename: "lake_array_position", ret: sNum})
	def("array_remove", fnSpec{min: 2, max: 2, rename: "lake_array_remove", ret: sList})
	def("array_sort", fnSpec{min: 1, max: 1, tmpl: any1("list_sort(@1, 'ASC', 'NULLS LAST')"), ret: sList})
	def("arrays_overlap", fnSpec{min: 2, max: 2, rename: "list_has_any", ret: sBool})
	def("cardinality", fnSpec{min: 1, max: 1, custom: cardinality, ret: sNum})
	def("contains", fnSpec{min: 2, max: 2, rename: "list_contains", ret: sBool})
	def("element_at", fnSpec{min: 2, max: 2, custom: elementAt})
	def("array_first", fnSpec{min: 1, max: 1, tmpl: any1("(@1)[1]")})
	def("array_last", fnSpec{min: 1, max: 1, tmpl: any1("(@1)[-1]")})
	def("flatten", fnSpec{min: 1, max: 1, ret: sList})
	def("ngrams", fnSpec{min: 2, max: 2, rename: "lake_ngrams", ret: sList})
	def("repeat", fnSpec{min: 2, max: 2, tmpl: any1("repeat([@1], @2)"), ret: sList})
	def("sequence", fnSpec{min: 2, max: 3, custom: sequence, ret: sList})
	def("shuffle", fnSpec{min: 1, max: 1, rename: "lake_shuffle", ret: sList})
	def("slice", fnSpec{min: 3, max: 3, rename: "lake_slice", ret: sList})
	def("trim_array", fnSpec{min: 2, max: 2, tmpl: any1("list_slice(@1, 1, len(@1) - @2)"), ret: sList})
	def("zip", fnSpec{min: 2, max: 5, custom: zip, ret: sList})
	def("combinations array_histogram", fnSpec{unsupported: true})

	// Maps.
	def("map", fnSpec{min: 0, max: 2, tmpl: map[int]string{0: "MAP {}", 2: "map(@1, @2)"}, ret: sMap})
	def("map_concat", fnSpec{min: 1, max: -1, ret: sMap})
	def("map_entries", fnSpec{min: 1, max: 1, ret: sList})
	def("map_from_entries", fnSpec{min: 1, max: 1, ret: sMap})
	def("map_keys map_values", fnSpec{min: 1, max: 1, ret: sList})
	def("map_filter", fnSpec{min: 2, max: 2, lambdas: map[int]int{1: 2}, custom: mapLambda("filter"), ret: sMap})
	def("transform_keys", fnSpec{min: 2, max: 2, lambdas: map[int]int{1: 2}, custom: mapLambda("key"), ret: sMap})
	def("transform_values", fnSpec{min: 2, max: 2, lambdas: map[int]int{1: 2}, custom: mapLambda("value"), ret: sMap})
	def("map_zip_with multimap_from_entries", fnSpec{unsupported: true})

	// Mathematics.
	def("abs ceil ceiling floor cbrt exp ln log2 log10 sqrt sign degrees radians sin cos tan asin acos atan sinh cosh tanh",
		fnSpec{min: 1, max: 1, retArg: 1})
	def("atan2 pow power", fnSpec{min: 2, max: 2, ret: sNum})
	def("log", fnSpec{min: 2, max: 2, ret: sNum})
	def("mod", fnSpec{min: 2, max: 2, retArg: 1})
	def("round", fnSpec{min: 1, max: 2, retArg: 1})
	def("truncate", fnSpec{min: 1, max: 2, rename: "trunc", retArg: 1})
	def("pi", fnSpec{min: 0, max: 0, ret: sNum})
	def("e", fnSpec{min: 0, max: 0, tmpl: any1("exp(1)"), ret: sNum})
	def("rand random", fnSpec{min: 0, max: 2, tmpl: map[int]string{
		0: "random()",
		1: "CAST(floor(random() * (@1)) AS BIGINT)",
		2: "CAST((@1) + floor(random() * ((@2) - (@1))) AS BIGINT)"}, ret: sNum})
	def("is_nan", fnSpec{min: 1, max: 1, rename: "isnan", ret: sBool})
	def("is_finite", fnSpec{min: 1, max: 1, rename: "isfinite", ret: sBool})
	def("is_infinite", fnSpec{min: 1, max: 1, rename: "isinf", ret: sBool})
	def("nan", fnSpec{min: 0, max: 0, tmpl: any1("CAST('NaN' AS DOUBLE)"), ret: sNum})
	def("infinity", fnSpec{min: 0, max: 0, tmpl: any1("CAST('Infinity' AS DOUBLE)"), ret: sNum})
	def("greatest least", fnSpec{min: 1, max: -1, custom: extremum, retArg: 1})
	def("width_bucket", fnSpec{min: 4, max: 4, rename: "lake_width_bucket", ret: sNum})
	def("to_base", fnSpec{min: 2, max: 2, tmpl: any1("lower(to_base(@1, @2))"), ret: sStr})
	def("from_base", fnSpec{min: 2, max: 2, rename: "lake_from_base", ret: sNum})
	def("bitwise_and", fnSpec{min: 2, max: 2, tmpl: any1("((@1) & (@2))"), ret: sNum})
	def("bitwise_or", fnSpec{min: 2, max: 2, tmpl: any1("((@1) | (@2))"), ret: sNum})
	def("bitwise_xor", fnSpec{min: 2, max: 2, tmpl: any1("xor(@1, @2)"), ret: sNum})
	def("bitwise_not", fnSpec{min: 1, max: 1, tmpl: any1("(~(@1))"), ret: sNum})
	def("bitwise_left_shift", fnSpec{min: 2, max: 2, tmpl: any1("((@1) << (@2))"), ret: sNum})
	def("bitwise_right_shift", fnSpec{min: 2, max: 2, tmpl: any1("((@1) >> (@2))"), ret: sNum})
	def("bit_count", fnSpec{min: 2, max: 2, tmpl: any1("bit_count(CAST(@1 AS BIGINT))"), ret: sNum})

	// Dates and times. Extraction follows Trino: day_of_week is ISO (1 =
	// Monday), millisecond is the millisecond of the second.
	def("now", fnSpec{min: 0, max: 0, rename: "now", ret: sTimestampTZ})
	def("current_timezone", fnSpec{min: 0, max: 0, tmpl: any1("current_setting('TimeZone')"), ret: sStr})
	def("date", fnSpec{min: 1, max: 1, tmpl: any1("CAST(@1 AS DATE)"), ret: sDate})
	def("date_add", fnSpec{min: 3, max: 3, custom: dateAdd})
	def("date_diff", fnSpec{min: 3, max: 3, rename: "date_sub", ret: sNum})
	def("date_trunc", fnSpec{min: 2, max: 2, custom: dateTrunc})
	def("date_format", fnSpec{min: 2, max: 2, custom: timeFormat(mysqlFormat, "strftime(@1, @2)"), ret: sStr})
	def("format_datetime", fnSpec{min: 2, max: 2, custom: timeFormat(jodaFormat, "strftime(@1, @2)"), ret: sStr})
	def("date_parse", fnSpec{min: 2, max: 2, custom: timeFormat(mysqlFormat, "strptime(@1, @2)"), ret: sTimestamp})
	def("parse_datetime", fnSpec{min: 2, max: 2, custom: timeFormat(jodaFormat, "strptime(@1, @2)"), ret: sTimestampTZ})
	def("day day_of_month", fnSpec{min: 1, max: 1, rename: "day", ret: sNum})
	def("day_of_week dow", fnSpec{min: 1, max: 1, rename: "isodow", ret: sNum})
	def("day_of_year doy", fnSpec{min: 1, max: 1, rename: "dayofyear", ret: sNum})
	def("year_of_week yow", fnSpec{min: 1, max: 1, rename: "isoyear", ret: sNum})
	def("week week_of_year", fnSpec{min: 1, max: 1, rename: "week", ret: sNum})
	def("year quarter month hour minute second timezone_hour timezone_minute", fnSpec{min: 1, max: 1, ret: sNum})
	def("millisecond", fnSpec{min: 1, max: 1, tmpl: any1("(millisecond(@1) % 1000)"), ret: sNum})
	def("from_iso8601_timestamp", fnSpec{min: 1, max: 1, tmpl: any1("CAST(@1 AS TIMESTAMPTZ)"), ret: sTimestampTZ})
	def("from_iso8601_date", fnSpec{min: 1, max: 1, tmpl: any1("CAST(@1 AS DATE)"), ret: sDate})
	def("from_unixtime", fnSpec{min: 1, max: 2, tmpl: map[int]string{1: "to_timestamp(@1)", 2: "timezone(@2, to_timestamp(@1))"}, ret: sTimestampTZ})
	def("to_unixtime", fnSpec{min: 1, max: 1, rename: "epoch", ret: sNum})
	def("to_iso8601", fnSpec{min: 1, max: 1, custom: toISO8601, ret: sStr})
	def("to_milliseconds", fnSpec{min: 1, max: 1, tmpl: any1("CAST(epoch(@1) * 1000 AS BIGINT)"), ret: sNum})
	def("last_day_of_month", fnSpec{min: 1, max: 1, rename: "last_day", ret: sDate})
	def("with_timezone", fnSpec{min: 2, max: 2, tmpl: any1("timezone(@2, @1)"), ret: sTimestampTZ})
	def("at_timezone", fnSpec{min: 2, max: 2, tmpl: any1("timezone(@2, CAST(@1 AS TIMESTAMPTZ))"), ret: sTimestamp})
	def("human_readable_seconds", fnSpec{min: 1, max: 1, custom: macroCall, ret: sStr})
	def("parse_duration", fnSpec{min: 1, max: 1, custom: macroCall, ret: sInterval})

	// Conversion, conditions, binary, other.
	def("coalesce", fnSpec{min: 1, max: -1, retArg: 1})
	def("nullif", fnSpec{min: 2, max: 2, retArg: 1})
	def("if", fnSpec{min: 2, max: 3, tmpl: map[int]string{2: "(CASE WHEN @1 THEN @2 END)", 3: "(CASE WHEN @1 THEN @2 ELSE @3 END)"}, retArg: 2})
	def("try", fnSpec{min: 1, max: 1, tmpl: any1("try(@1)"), retArg: 1})
	def("typeof", fnSpec{min: 1, max: 1, rename: "lake_typeof", ret: sStr})
	def("uuid", fnSpec{min: 0, max: 0})
	def("to_hex", fnSpec{min: 1, max: 1, rename: "hex", ret: sStr})
	def("from_hex", fnSpec{min: 1, max: 1, rename: "unhex", ret: sBlob})
	def("md5", fnSpec{min: 1, max: 1, tmpl: any1("unhex(md5(@1))"), ret: sBlob})
	def("sha1", fnSpec{min: 1, max: 1, tmpl: any1("unhex(sha1(@1))"), ret: sBlob})
	def("sha256", fnSpec{min: 1, max: 1, tmpl: any1("unhex(sha256(@1))"), ret: sBlob})
	def("to_base64", fnSpec{min: 1, max: 1, ret: sStr})
	def("from_base64", fnSpec{min: 1, max: 1, ret: sBlob})
	def("sha512 crc32 xxhash64 murmur3 spooky_hash_v2_32 spooky_hash_v2_64 hmac_md5 hmac_sha1 hmac_sha256 hmac_sha512",
		fnSpec{unsupported: true})
}

// applyFunction checks a call against the function table and sets how it
// renders; it returns the shape of the result.
func (p *parser) applyFunction(c *call) shapeFn {
	pos := p.toks[c.start].pos
	s := functions[c.name]
	if s == nil {
		p.fail(pos, "Function '%s' not registered", c.written)
	}
	if s.unsupported {
		p.fail(pos, "Function '%s' is not supported by Cairn", c.written)
	}
	n := len(c.args)
	if n < s.min || s.max >= 0 && n > s.max {
		want := fmt.Sprint(s.min)
		switch {
		case s.max < 0:
			want = fmt.Sprintf("at least %d", s.min)
		case s.max > s.min:
			want = fmt.Sprintf("%d to %d", s.min, s.max)
		}
		p.fail(pos, "Unexpected parameters for function %s: %d arguments given, %s expected", c.written, n, want)
	}
	if c.star && c.name != "count" {
		p.fail(p.toks[c.start+2].pos, "mismatched input '*'. Expecting: <expression>")
	}
	switch s.kind {
	case scalar:
		if c.distinct || c.orderBy || c.filter || c.over || c.nulls > 0 {
			p.fail(pos, "%s is not an aggregate or window function: DISTINCT, ORDER BY, FILTER, OVER and IGNORE NULLS do not apply to it", c.written)
		}
	case window:
		if !c.over {
			p.fail(pos, "Window function %s requires an OVER clause", c.written)
		}
		if c.distinct || c.orderBy || c.filter {
			p.fail(pos, "DISTINCT, ORDER BY and FILTER do not apply to window function %s", c.written)
		}
	}
	for i, e := range c.exprs {
		want := s.lambdas[i]
		switch {
		case e.kind == eLambda && want == 0:
			p.fail(p.toks[e.start].pos, "Lambda expression is not expected as argument %d of %s", i+1, c.written)
		case e.kind != eLambda && want > 0:
			p.fail(p.toks[e.start].pos, "Argument %d of %s must be a lambda expression", i+1, c.written)
		case e.kind == eLambda && len(e.lam.params) != want:
			p.fail(p.toks[e.start].pos, "Expected a lambda that takes %d argument(s) but got %d", want, len(e.lam.params))
		}
	}
	if s.overArray() {
		p.q.lambdaCalls = append(p.q.lambdaCalls, lakeCall{c.written, pos})
	}
	switch {
	case s.custom != nil:
		s.custom(p, c)
	case s.tmpl != nil:
		t, ok := s.tmpl[n]
		if !ok {
			t = s.tmpl[-1]
		}
		p.noExtras(c)
		p.template(c, t)
	default:
		name := s.rename
		if r, ok := s.renames[n]; ok {
			name = r
		}
		if name == "" {
			name = c.name
		}
		p.noteFunc(name, c.name)
		c.node.render = renameRender(c, name, s.keep)
	}
	switch {
	case c.retShape != nil:
		return c.retShape
	case s.retArg > 0 && s.retArg <= n:
		return c.exprs[s.retArg-1].shape
	case s.ret != sUnknown:
		return constShape(s.ret)
	}
	return unknownShape
}

// noExtras rejects aggregate clauses on a function whose translation is
// not a single DuckDB aggregate.
func (p *parser) noExtras(c *call) {
	if c.distinct || c.orderBy || c.filter || c.over || c.nulls > 0 {
		p.fail(p.toks[c.start].pos, "DISTINCT, ORDER BY, FILTER, OVER and IGNORE NULLS are not supported with %s", c.written)
	}
}

// overArray reports whether the function's translation applies a DuckDB
// lambda to its first argument, which DuckDB then requires to be a list.
func (s *fnSpec) overArray() bool {
	if s.lambdas != nil {
		return true
	}
	for _, t := range s.tmpl {
		if strings.Contains(t, "lambda") {
			return true
		}
	}
	return macroLambda[s.rename]
}

// noteFunc records that the translation calls DuckDB function duck for
// Lake function lake, and, for a macro, the functions the macro calls.
func (p *parser) noteFunc(duck, lake string) {
	if _, ok := p.q.funcs[duck]; !ok {
		p.q.funcs[duck] = lake
	}
	for _, f := range macroFuncs[duck] {
		if _, ok := p.q.funcs[f]; !ok {
			p.q.funcs[f] = lake
		}
	}
}

var tmplFunc = regexp.MustCompile(`([a-z_][a-z0-9_]*)\(`)

// template makes the call render as t, where @1..@9 stand for the
// arguments and @* for all of them.
func (p *parser) template(c *call, t string) {
	for _, m := range tmplFunc.FindAllStringSubmatch(t, -1) {
		p.noteFunc(m[1], c.name)
	}
	c.node.render = func(r *renderer) { r.template(c, t) }
}

func (r *renderer) template(c *call, t string) {
	at := r.pos(c.node)
	r.gap(c.node.start)
	for t != "" {
		i := strings.IndexByte(t, '@')
		if i < 0 || i+1 >= len(t) {
			r.text(t, at)
			return
		}
		r.text(t[:i], at)
		switch d := t[i+1]; {
		case d == '*':
			for k, a := range c.args {
				if k > 0 {
					r.text(", ", at)
				}
				r.bare(a)
			}
		case d >= '1' && d <= '9':
			r.bare(c.args[d-'1'])
		}
		t = t[i+2:]
	}
}

// renameRender renders a call with another function name, moving IGNORE
// NULLS inside the parentheses where DuckDB expects it.
func renameRender(c *call, name string, keep int) func(*renderer) {
	return func(r *renderer) {
		n := c.node
		at := r.pos(n)
		r.gap(n.start)
		r.text(name, at)
		if keep > 0 && keep < len(c.args) {
			r.text("(", at)
			if c.distinct {
				r.text("DISTINCT ", at)
			}
			for k := 0; k < keep; k++ {
				if k > 0 {
					r.text(", ", at)
				}
				r.bare(c.args[k])
			}
		} else {
			r.rangeOf(n, c.start+1, c.close)
		}
		if c.nulls > 0 {
			r.text(" "+strings.ToUpper(r.toks[c.nulls].text)+" NULLS", at)
		}
		if keep > 0 && keep < len(c.args) {
			r.text(")", at)
		} else {
			r.token(c.close)
		}
		tail := c.close + 1
		if c.nulls > 0 {
			r.rangeOf(n, tail, c.nulls)
			tail = c.nulls + 2
		}
		r.rangeOf(n, tail, n.end)
	}
}

// custom renderings

func (p *parser) lit(c *call, i int) *token {
	if i < len(c.exprs) && c.exprs[i].kind == eString {
		return c.exprs[i].lit
	}
	return nil
}

// macroCall calls the macro lake_<name>.
func macroCall(p *parser, c *call) {
	p.template(c, "lake_"+c.name+"(@*)")
}

func elementAt(p *parser, c *call) {
	p.template(c, "((@1)[@2])")
}

func concat(p *parser, c *call) {
	// Trino's concat is NULL when an argument is; DuckDB's skips NULLs, its
	// || does not.
	t := "(@1"
	for i := 2; i <= len(c.args); i++ {
		t += fmt.Sprintf(" || @%d", i)
	}
	p.template(c, t+")")
	p.noteFunc("concat", "concat")
}

func concatWS(p *parser, c *call) {
	if len(c.args) == 2 {
		arr := c.exprs[1].shape
		p.noteFunc("array_to_string", c.name)
		p.noteFunc("concat_ws", c.name)
		c.node.render = func(r *renderer) {
			if arr() == sList {
				r.template(c, "array_to_string(@2, @1)")
			} else {
				r.template(c, "concat_ws(@1, @2)")
			}
		}
		return
	}
	p.template(c, "concat_ws(@*)")
}

func reverse(p *parser, c *call) {
	sh := c.exprs[0].shape
	p.noteFunc("list_reverse", c.name)
	p.noteFunc("reverse", c.name)
	c.node.render = func(r *renderer) {
		if sh() == sList {
			r.template(c, "list_reverse(@1)")
		} else {
			r.template(c, "reverse(@1)")
		}
	}
}

// cardinality: DuckDB's works on maps only, len on lists only; when the
// type is not known, the JSON form of the value tells.
func cardinality(p *parser, c *call) {
	sh := c.exprs[0].shape
	for _, f := range []string{"len", "cardinality", "lake_cardinality"} {
		p.noteFunc(f, c.name)
	}
	c.node.render = func(r *renderer) {
		switch sh() {
		case sList:
			r.template(c, "len(@1)")
		case sMap:
			r.template(c, "cardinality(@1)")
		default:
			r.template(c, "lake_cardinality(to_json(@1))")
		}
	}
}

func extremum(p *parser, c *call) {
	// Trino's greatest and least are NULL when an argument is NULL; DuckDB's
	// skip NULLs.
	t := "(CASE WHEN "
	for i := range c.args {
		if i > 0 {
			t += " OR "
		}
		t += fmt.Sprintf("(@%d) IS NULL", i+1)
	}
	p.template(c, t+" THEN NULL ELSE "+c.name+"(@*) END)")
}

func regexpReplace(p *parser, c *call) {
	if len(c.args) == 2 {
		p.template(c, "regexp_replace(@1, @2, '', 'g')")
		return
	}
	if c.exprs[2].kind == eLambda {
		p.fail(p.toks[c.exprs[2].start].pos, "regexp_replace with a lambda is not supported")
	}
	// Trino refers to groups as $1 (and ${name}); RE2 as \1.
	if t := p.lit(c, 2); t != nil {
		p.replace(c.exprs[2].start, c.exprs[2].start+1, quoteString(javaReplacement(t.val)))
	}
	p.template(c, "regexp_replace(@1, @2, @3, 'g')")
}

func javaReplacement(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			if s[i] == '\\' {
				b.WriteString(`\\`)
			} else {
				b.WriteByte(s[i])
			}
		case s[i] == '$' && i+1 < len(s) && isDigit(s[i+1]):
			b.WriteByte('\\')
			b.WriteByte(s[i+1])
			i++
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// jsonPath renders a JSON function whose second argument is a path,
// rewriting a literal path for DuckDB.
func jsonPath(t string) func(p *parser, c *call) {
	return func(p *parser, c *call) {
		if lt := p.lit(c, 1); lt != nil {
			p.replace(c.exprs[1].start, c.exprs[1].start+1, quoteString(duckPath(lt.val)))
		}
		p.template(c, t)
	}
}

// reduce(a, init, (s, x) -> ..., s -> ...): DuckDB's list_reduce takes the
// initial value last; the output function is applied to a one-element
// list.
func reduce(p *parser, c *call) {
	out := c.exprs[3].lam
	identity := false
	if b := out.body; b.end == b.start+1 && p.toks[b.start].kind == tIdent && p.toks[b.start].val == out.params[0] {
		identity = true
	}
	if identity {
		p.template(c, "list_reduce(@1, @3, @2)")
	} else {
		p.template(c, "(list_transform([list_reduce(@1, @3, @2)], @4))[1]")
	}
}

// zipWith substitutes the lambda's parameters by the elements of the two
// arrays at the same position.
func zipWith(p *parser, c *call) {
	lam := c.exprs[2].lam
	p.noteFunc("list_transform", c.name)
	c.node.render = func(r *renderer) {
		at := r.pos(c.node)
		r.gap(c.node.start)
		v := fmt.Sprintf("lake_i%d", len(r.subst))
		r.text("list_transform(range(1, greatest(len(", at)
		r.bare(c.args[0])
		r.text("), len(", at)
		r.bare(c.args[1])
		r.text(")) + 1), lambda "+v+": (", at)
		saved := r.subst
		r.subst = substWith(saved, map[string]string{
			lam.params[0]: "(" + r.sub(c.args[0]) + ")[" + v + "]",
			lam.params[1]: "(" + r.sub(c.args[1]) + ")[" + v + "]",
		})
		r.bare(lam.body)
		r.subst = saved
		r.text("))", at)
	}
}

// mapLambda renders map_filter, transform_keys and transform_values over
// the map's entries.
func mapLambda(what string) func(p *parser, c *call) {
	return func(p *parser, c *call) {
		lam := c.exprs[1].lam
		for _, f := range []string{"map_from_entries", "list_filter", "list_transform", "map_entries"} {
			p.noteFunc(f, c.name)
		}
		c.node.render = func(r *renderer) {
			at := r.pos(c.node)
			r.gap(c.node.start)
			v := fmt.Sprintf("lake_e%d", len(r.subst))
			saved := r.subst
			sub := substWith(saved, map[string]string{lam.params[0]: v + ".key", lam.params[1]: v + ".value"})
			body := func() {
				r.subst = sub
				r.bare(lam.body)
				r.subst = saved
			}
			switch what {
			case "filter":
				r.text("map_from_entries(list_filter(map_entries(", at)
				r.bare(c.args[0])
				r.text("), lambda "+v+": (", at)
				body()
				r.text(")))", at)
			case "key":
				r.text("map_from_entries(list_transform(map_entries(", at)
				r.bare(c.args[0])
				r.text("), lambda "+v+": {'key': (", at)
				body()
				r.text("), 'value': "+v+".value}))", at)
			default:
				r.text("map_from_entries(list_transform(map_entries(", at)
				r.bare(c.args[0])
				r.text("), lambda "+v+": {'key': "+v+".key, 'value': (", at)
				body()
				r.text(")}))", at)
			}
		}
	}
}

func substWith(base, add map[string]string) map[string]string {
	m := make(map[string]string, len(base)+len(add))
	for k, v := range base {
		m[k] = v
	}
	for k, v := range add {
		m[k] = v
	}
	return m
}

// sub renders n into a string (for generated text that repeats it).
func (r *renderer) sub(n *node) string {
	s := &renderer{src: r.src, toks: r.toks, subst: r.subst}
	s.bare(n)
	return s.b.String()
}

func zip(p *parser, c *call) {
	p.noteFunc("list_transform", c.name)
	c.node.render = func(r *renderer) {
		at := r.pos(c.node)
		r.gap(c.node.start)
		v := fmt.Sprintf("lake_i%d", len(r.subst))
		r.text("list_transform(range(1, greatest(", at)
		for i, a := range c.args {
			if i > 0 {
				r.text(", ", at)
			}
			r.text("len(", at)
			r.bare(a)
			r.text(")", at)
		}
		r.text(") + 1), lambda "+v+": {", at)
		for i, a := range c.args {
			if i > 0 {
				r.text(", ", at)
			}
			r.text(fmt.Sprintf("'field%d': (", i), at)
			r.bare(a)
			r.text(")["+v+"]", at)
		}
		r.text("})", at)
	}
}

func sequence(p *parser, c *call) {
	if len(c.args) == 3 {
		p.template(c, "generate_series(@*)")
		return
	}
	sh := c.exprs[0].shape
	p.noteFunc("generate_series", c.name)
	c.node.render = func(r *renderer) {
		switch sh() {
		case sDate:
			r.template(c, "list_transform(generate_series(CAST(@1 AS TIMESTAMP), CAST(@2 AS TIMESTAMP), INTERVAL 1 DAY), lambda lake_d: CAST(lake_d AS DATE))")
		case sTimestamp, sTimestampTZ:
			r.template(c, "generate_series(@1, @2, INTERVAL 1 DAY)")
		default:
			r.template(c, "generate_series(@1, @2)")
		}
	}
}

var dateUnits = map[string]string{
	"millisecond": "MILLISECOND", "second": "SECOND", "minute": "MINUTE", "hour": "HOUR",
	"day": "DAY", "week": "WEEK", "month": "MONTH", "quarter": "QUARTER", "year": "YEAR",
}

func unitArg(p *parser, c *call) string {
	t := p.lit(c, 0)
	if t == nil {
		p.fail(p.toks[c.exprs[0].start].pos, "The unit of %s must be a string literal such as 'day'", c.written)
	}
	u, ok := dateUnits[strings.ToLower(strings.TrimSpace(t.val))]
	if !ok {
		p.fail(t.pos, "'%s' is not a valid Time field", t.val)
	}
	return u
}

// dateAdd: Trino's date_add(unit, value, timestamp) adds an interval; the
// result of adding days or more to a date is a date.
func dateAdd(p *parser, c *call) {
	u := unitArg(p, c)
	sh := c.exprs[2].shape
	p.noteFunc("date_add", c.name)
	c.node.render = func(r *renderer) {
		t := "((@3) + INTERVAL (@2) " + u + ")"
		if sh() == sDate && u != "MILLISECOND" && u != "SECOND" && u != "MINUTE" && u != "HOUR" {
			t = "CAST(" + t + " AS DATE)"
		}
		r.template(c, t)
	}
	c.retShape = sh
}

func dateTrunc(p *parser, c *call) {
	unitArg(p, c)
	sh := c.exprs[1].shape
	p.noteFunc("date_trunc", c.name)
	c.node.render = func(r *renderer) {
		if sh() == sDate {
			r.template(c, "CAST(date_trunc(@1, @2) AS DATE)")
		} else {
			r.template(c, "date_trunc(@1, @2)")
		}
	}
	c.retShape = sh
}

func toISO8601(p *parser, c *call) {
	sh := c.exprs[0].shape
	p.noteFunc("strftime", c.name)
	c.node.render = func(r *renderer) {
		switch sh() {
		case sDate:
			r.template(c, "strftime(@1, '%Y-%m-%d')")
		case sTimestampTZ:
			r.template(c, "strftime(@1, '%Y-%m-%dT%H:%M:%S.%gZ')")
		default:
			r.template(c, "strftime(@1, '%Y-%m-%dT%H:%M:%S.%g')")
		}
	}
}

// timeFormat renders date_format, date_parse, format_datetime and
// parse_datetime, whose formats (MySQL's or Joda's) become DuckDB's.
func timeFormat(conv func(string) (string, error), t string) func(p *parser, c *call) {
	return func(p *parser, c *call) {
		lt := p.lit(c, 1)
		if lt == nil {
			p.fail(p.toks[c.exprs[1].start].pos, "The format of %s must be a string literal", c.written)
		}
		f, err := conv(lt.val)
		if err != nil {
			p.fail(lt.pos, "%s: %v", c.written, err)
		}
		p.replace(c.exprs[1].start, c.exprs[1].start+1, quoteString(f))
		p.template(c, t)
	}
}

var mysqlSpecs = map[byte]string{
	'a': "%a", 'b': "%b", 'c': "%-m", 'd': "%d", 'e': "%-d", 'f': "%f", 'H': "%H", 'h': "%I",
	'I': "%I", 'i': "%M", 'j': "%j", 'k': "%-H", 'l': "%-I", 'M': "%B", 'm': "%m", 'p': "%p",
	'r': "%I:%M:%S %p", 'S': "%S", 's': "%S", 'T': "%H:%M:%S", 'v': "%V", 'W': "%A", 'w': "%w",
	'x': "%G", 'Y': "%Y", 'y': "%y", '%': "%%",
}

// mysqlFormat converts the format of date_format and date_parse.
func mysqlFormat(f string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		s, ok := mysqlSpecs[f[i]]
		if !ok {
			if strings.IndexByte("DUuVX", f[i]) >= 0 {
				return "", fmt.Errorf("%%%c is not supported", f[i])
			}
			s = string(f[i])
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// jodaFormat converts the pattern of format_datetime and parse_datetime.
func jodaFormat(f string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		if c == '\'' {
			j := i + 1
			for j < len(f) {
				if f[j] == '\'' {
					if j+1 < len(f) && f[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				if f[j] == '%' {
					b.WriteString("%%")
				} else {
					b.WriteByte(f[j])
				}
				j++
			}
			if j == i+1 {
				b.WriteByte('\'')
			}
			i = j + 1
			continue
		}
		if !isLetter(c) {
			if c == '%' {
				b.WriteString("%%")
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		n := 1
		for i+n < len(f) && f[i+n] == c {
			n++
		}
		i += n
		pick := func(short, long string) string {
			if n == 1 {
				return short
			}
			return long
		}
		switch c {
		case 'y', 'Y', 'u':
			if n == 2 {
				b.WriteString("%y")
			} else {
				b.WriteString("%Y")
			}
		case 'x':
			b.WriteString("%G")
		case 'M':
			b.WriteString([]string{"%-m", "%m", "%b", "%B"}[min(n, 4)-1])
		case 'd':
			b.WriteString(pick("%-d", "%d"))
		case 'D':
			b.WriteString(pick("%-j", "%j"))
		case 'H':
			b.WriteString(pick("%-H", "%H"))
		case 'h':
			b.WriteString(pick("%-I", "%I"))
		case 'm':
			b.WriteString(pick("%-M", "%M"))
		case 's':
			b.WriteString(pick("%-S", "%S"))
		case 'S':
			switch {
			case n <= 3:
				b.WriteString("%g")
			case n <= 6:
				b.WriteString("%f")
			default:
				b.WriteString("%n")
			}
		case 'E':
			if n >= 4 {
				b.WriteString("%A")
			} else {
				b.WriteString("%a")
			}
		case 'e':
			b.WriteString("%u")
		case 'a':
			b.WriteString("%p")
		case 'Z':
			b.WriteString("%z")
		case 'z':
			b.WriteString("%Z")
		case 'w':
			b.WriteString("%V")
		default:
			return "", fmt.Errorf("pattern letter %c is not supported", c)
		}
	}
	return b.String(), nil
}
