package lakesql

import "strings"

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// trinoReserved are the words Trino does not accept as unquoted
// identifiers.
var trinoReserved = wordSet(`alter and as between by case cast constraint create cross cube
	current_catalog current_date current_path current_role current_schema current_time
	current_timestamp current_user deallocate delete describe distinct drop else end escape
	except execute exists extract false for from full group grouping having in inner insert
	intersect into is join json_array json_exists json_object json_query json_table json_value
	left like listagg localtime localtimestamp natural normalize not null on or order outer
	prepare recursive right rollup select skip table then trim true uescape union unnest using
	values when where with`)

// notAlias are words that end a relation or a select item instead of
// naming it, though Trino does not reserve them.
var notAlias = wordSet(`limit offset fetch window tablesample match_recognize`)

// duckReserved are the words DuckDB does not accept everywhere an
// identifier may stand (its reserved, type_function and column_name
// keywords): an identifier spelled like one is quoted in the output.
var duckReserved = wordSet(`all analyse analyze and any array as asc asymmetric both case cast
	check collate column constraint create default deferrable desc describe distinct do else end
	except false fetch for foreign from group having in initially intersect into lambda lateral
	leading limit not null offset on only or order pivot pivot_longer pivot_wider placing primary
	qualify references returning select show some summarize symmetric table then to trailing true
	union unique unpivot using variadic when where window with
	anti asof at authorization binary by collation columns concurrently cross freeze full generated
	glob ilike inner is isnull join left like map natural notnull outer overlaps positional right
	semi similar struct tablesample try_cast unpack verbose
	between bigint bit boolean char character coalesce dec decimal exists extract float grouping
	grouping_id inout int integer interval national nchar none nullif numeric out overlay position
	precision real row setof smallint substring time timestamp treat trim values varchar
	xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot
	xmlserialize xmltable`)

// notSelect are statement keywords answered with "only SELECT".
var notSelect = wordSet(`alter analyze attach call checkpoint comment commit copy create deallocate
	delete describe detach drop execute explain export force grant import insert install load merge
	pivot pragma prepare refresh reset revoke rollback set show start summarize truncate unpivot
	update use vacuum begin abort end`)

// quoteIdent renders a name as a DuckDB quoted identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteString renders a DuckDB string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
