package lakesql

import "strings"

// SharedSQL returns the statements to run once for a whole database
// before it runs translated queries: the macros (all named lake_*) the
// translations call, and the time zone, UTC, in which Lake evaluates
// timestamps (comparisons of timestamps with and without time zone, now(),
// AT TIME ZONE). The macros go into the in-memory catalog's main schema
// (memory.main), so they are never stored, and every connection that has
// it on its search path (the default for an in-memory database) finds
// them; see eventstore.Options.SharedSQL. Creating them takes about 17 ms.
// The statements are idempotent.
func SharedSQL() []string {
	out := []string{"SET GLOBAL TimeZone = 'UTC'"}
	for _, m := range macros {
		out = append(out, "CREATE OR REPLACE MACRO memory.main."+m)
	}
	return out
}

// macroFuncs are the functions each macro calls.
var macroFuncs = func() map[string][]string {
	funcs := map[string][]string{}
	for _, m := range macros {
		name, body, _ := strings.Cut(m, "(")
		for _, f := range tmplFunc.FindAllStringSubmatch(body, -1) {
			funcs[name] = append(funcs[name], f[1])
		}
	}
	return funcs
}()

// macroLambda are the macros that apply a lambda to their first argument,
// which must then be a list.
var macroLambda = wordSet("lake_array_distinct lake_array_except lake_array_intersect lake_array_remove lake_shuffle")

// url splits a URL as java.net.URI does: 1 scheme, 2 host, 3 port, 4 path,
// 5 query, 6 fragment.
const urlPattern = `'^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?://(?:[^@/?#]*@)?([^:/?#]*)(?::([0-9]*))?)?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$'`

var macros = []string{
	// Trino's any_match, all_match and none_match on the list of the
	// predicate's results: NULL when no element decides and one is NULL.
	`lake_any_match(bs) AS CASE WHEN bs IS NULL THEN NULL WHEN list_contains(bs, true) THEN true
		WHEN list_count(bs) < len(bs) THEN NULL ELSE false END`,
	`lake_all_match(bs) AS CASE WHEN bs IS NULL THEN NULL WHEN list_contains(bs, false) THEN false
		WHEN list_count(bs) < len(bs) THEN NULL ELSE true END`,
	`lake_none_match(bs) AS CASE WHEN bs IS NULL THEN NULL WHEN list_contains(bs, true) THEN false
		WHEN list_count(bs) < len(bs) THEN NULL ELSE true END`,

	// Arrays: Trino keeps the order of first occurrences and one NULL.
	`lake_array_distinct(a) AS list_filter(a, lambda x, i: list_position(a, x) = i)`,
	`lake_array_except(a, b) AS list_filter(lake_array_distinct(a), lambda x: list_position(b, x) IS NULL)`,
	`lake_array_intersect(a, b) AS list_filter(lake_array_distinct(a), lambda x: list_position(b, x) IS NOT NULL)`,
	`lake_array_max(a) AS CASE WHEN list_count(a) < len(a) THEN NULL ELSE list_max(a) END`,
	`lake_array_min(a) AS CASE WHEN list_count(a) < len(a) THEN NULL ELSE list_min(a) END`,
	`lake_array_position(a, x) AS CASE WHEN a IS NULL OR x IS NULL THEN NULL ELSE coalesce(list_position(a, x), 0) END`,
	`lake_array_remove(a, x) AS CASE WHEN x IS NULL THEN NULL ELSE list_filter(a, lambda e: e IS DISTINCT FROM x) END`,
	`lake_slice_start(a, s) AS CASE WHEN s < 0 THEN len(a) + s + 1 ELSE s END`,
	`lake_slice(a, s, n) AS CASE WHEN s = 0 OR n < 0 THEN NULL WHEN lake_slice_start(a, s) < 1 THEN list_slice(a, 1, 0)
		ELSE list_slice(a, lake_slice_start(a, s), lake_slice_start(a, s) + n - 1) END`,
	`lake_shuffle(a) AS list_transform(list_sort(list_transform(a, lambda x: {'r': random(), 'v': x})), lambda y: y.v)`,
	`lake_ngrams(a, n) AS CASE WHEN len(a) <= n THEN [a]
		ELSE list_transform(range(1, len(a) - n + 2), lambda i: list_slice(a, i, i + n - 1)) END`,
	`lake_cardinality(js) AS CASE json_type(js) WHEN 'ARRAY' THEN CAST(json_array_length(js) AS BIGINT)
		WHEN 'OBJECT' THEN CAST(len(json_keys(js)) AS BIGINT) END`,

	// Strings.
	`lake_split(s, d, n) AS CASE WHEN len(string_split(s, d)) <= n THEN string_split(s, d)
		ELSE list_append(list_slice(string_split(s, d), 1, n - 1),
			array_to_string(list_slice(string_split(s, d), n, len(string_split(s, d))), d)) END`,
	`lake_split_to_map(s, ed, kd) AS map_from_entries(list_transform(list_filter(string_split(s, ed), lambda p: p <> ''),
		lambda p: {'key': split_part(p, kd, 1), 'value': substr(p, strpos(p, kd) + length(kd))}))`,
	`lake_regexp_extract(s, p, g) AS CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p, g) END`,
	`lake_regexp_position(s, p) AS CASE WHEN s IS NULL OR p IS NULL THEN NULL
		WHEN regexp_matches(s, p) THEN length(string_split_regex(s, p)[1]) + 1 ELSE -1 END`,
	`lake_url_extract_protocol(u) AS nullif(regexp_extract(u, ` + urlPattern + `, 1), '')`,
	`lake_url_extract_host(u) AS nullif(regexp_extract(u, ` + urlPattern + `, 2), '')`,
	`lake_url_extract_port(u) AS CAST(nullif(regexp_extract(u, ` + urlPattern + `, 3), '') AS BIGINT)`,
	`lake_url_extract_path(u) AS regexp_extract(u, ` + urlPattern + `, 4)`,
	`lake_url_extract_query(u) AS nullif(regexp_extract(u, ` + urlPattern + `, 5), '')`,
	`lake_url_extract_fragment(u) AS nullif(regexp_extract(u, ` + urlPattern + `, 6), '')`,
	`lake_url_extract_parameter(u, name) AS list_transform(
		list_filter(string_split(lake_url_extract_query(u), '&'), lambda kv: split_part(kv, '=', 1) = name),
		lambda kv: substr(kv, length(name) + 2))[1]`,

	// JSON: Trino answers NULL for text that is not JSON, and
	// json_extract_scalar NULL for objects and arrays.
	`lake_json_extract(j, p) AS CASE WHEN json_valid(j) THEN json_extract(j, p) END`,
	`lake_json_extract_scalar(j, p) AS CASE WHEN json_valid(j) AND json_type(j, p) NOT IN ('OBJECT', 'ARRAY')
		THEN json_extract_string(j, p) END`,
	`lake_json_array_get(j, i) AS CASE WHEN json_valid(j) AND json_type(j) = 'ARRAY'
		THEN json_extract(j, CASE WHEN i >= 0 THEN '$[' || i || ']' ELSE '$[#' || i || ']' END) END`,
	`lake_json_array_contains(j, v) AS CASE WHEN json_valid(j) AND json_type(j) = 'ARRAY'
		THEN list_contains(list_transform(json_extract(j, '$[*]'), lambda e: CAST(e AS VARCHAR)), CAST(to_json(v) AS VARCHAR)) END`,
	`lake_json_array_length(j) AS CASE WHEN json_valid(j) AND json_type(j) = 'ARRAY' THEN CAST(json_array_length(j) AS BIGINT) END`,
	`lake_json_size(j, p) AS CASE WHEN NOT json_valid(j) THEN NULL
		WHEN json_type(j, p) = 'ARRAY' THEN CAST(json_array_length(j, p) AS BIGINT)
		WHEN json_type(j, p) = 'OBJECT' THEN CAST(len(json_keys(j, p)) AS BIGINT)
		WHEN json_type(j, p) IS NULL THEN NULL ELSE CAST(0 AS BIGINT) END`,
	`lake_is_json_scalar(j) AS json_type(json(j)) NOT IN ('OBJECT', 'ARRAY')`,

	// Aggregates built from DuckDB's.
	`lake_top_k(h, k) AS map_from_entries(list_transform(
		list_slice(list_sort(list_transform(map_entries(h), lambda e: {'c': -CAST(e.value AS BIGINT), 'k': e.key})), 1, k),
		lambda e: {'key': e.k, 'value': -e.c}))`,
	`lake_map_agg(es) AS map_from_entries(list_filter(es,
		lambda e, i: e.key IS NOT NULL AND list_position(list_transform(es, lambda x: x.key), e.key) = i))`,
	`lake_map_union(ms) AS CASE WHEN len(list_filter(ms, lambda m: m IS NOT NULL)) = 0 THEN NULL
		ELSE list_reduce(list_filter(ms, lambda m: m IS NOT NULL), lambda a, b: map_concat(a, b)) END`,

	// Numbers.
	`lake_width_bucket(x, lo, hi, n) AS CASE WHEN x < lo THEN 0 WHEN x >= hi THEN n + 1
		ELSE CAST(floor((x - lo) / (hi - lo) * n) AS BIGINT) + 1 END`,
	`lake_from_base_digits(s, radix) AS list_reduce(
		list_transform(string_split(lower(s), ''), lambda c: CAST(CASE WHEN c BETWEEN '0' AND '9' THEN ascii(c) - 48 ELSE ascii(c) - 87 END AS BIGINT)),
		lambda a, d: a * radix + d, CAST(0 AS BIGINT))`,
	`lake_from_base(s, radix) AS CASE WHEN s LIKE '-%' THEN -lake_from_base_digits(substr(s, 2), radix)
		ELSE lake_from_base_digits(s, radix) END`,

	// Durations.
	`lake_duration_part(n, unit) AS CASE WHEN n = 0 THEN NULL WHEN n = 1 THEN '1 ' || unit
		ELSE CAST(n AS BIGINT) || ' ' || unit || 's' END`,
	`lake_human_readable_seconds(x) AS CASE WHEN x IS NULL THEN NULL WHEN round(x) = 0 THEN '0 seconds'
		ELSE array_to_string([
			lake_duration_part(floor(round(x) / 604800), 'week'),
			lake_duration_part(floor(round(x) % 604800 / 86400), 'day'),
			lake_duration_part(floor(round(x) % 86400 / 3600), 'hour'),
			lake_duration_part(floor(round(x) % 3600 / 60), 'minute'),
			lake_duration_part(round(x) % 60, 'second')], ', ') END`,
	`lake_parse_duration(s) AS to_milliseconds(round(
		CAST(regexp_extract(s, '^\s*([0-9]+(?:\.[0-9]+)?)\s*(ns|us|ms|s|m|h|d)\s*$', 1) AS DOUBLE) *
		CASE regexp_extract(s, '^\s*[0-9.]+\s*(ns|us|ms|s|m|h|d)\s*$', 1)
			WHEN 'ns' THEN 0.000001 WHEN 'us' THEN 0.001 WHEN 'ms' THEN 1 WHEN 's' THEN 1000
			WHEN 'm' THEN 60000 WHEN 'h' THEN 3600000 WHEN 'd' THEN 86400000 END))`,

	// Trino's names of DuckDB's types.
	`lake_typeof(x) AS regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
		regexp_replace(regexp_replace(lower(typeof(x)),
		'timestamp with time zone', 'timestamp(3) with time zone', 'g'),
		'timestamp_ms', 'timestamp(3)', 'g'),
		'timestamp($|[^(_])', 'timestamp(3)\1', 'g'),
		'struct\(', 'row(', 'g'),
		'\bfloat\b', 'real', 'g'),
		'\bblob\b', 'varbinary', 'g'),
		'\binterval\b', 'interval day to second', 'g'),
		'([a-z0-9_]+(?:\([0-9, ]+\))?)\[\]', 'array(\1)', 'g')`,
}
