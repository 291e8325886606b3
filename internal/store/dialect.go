package store

import (
	"fmt"
	"strconv"
	"strings"
)

// LabelKey is the label key as the engine's JSON accessor takes it: SQLite
// wants a quoted path member.
func (db *DB) LabelKey(k string) string {
	if db.Engine == Postgres {
		return k
	}
	return `$."` + strings.ReplaceAll(k, `"`, `\"`) + `"`
}

// Param is the i-th (from 1) parameter of a statement with many. SQLite
// gets anonymous "?"s, bound in order: it looks a named one up by scanning
// the list of names, which makes a statement of thousands quadratic.
func (db *DB) Param(i int) string {
	if db.Engine == SQLite {
		return "?"
	}
	return "$" + strconv.Itoa(i)
}

// ParamList is n parameters from the from-th, comma-separated.
func (db *DB) ParamList(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(db.Param(from + i))
	}
	return b.String()
}

// JSONRows returns a row source over the JSON array of arrays in parameter
// $Param, and elem, which reads element i of a row (cast to int when asked).
// Bulk writes pass their rows as one JSON parameter: a single statement of
// fixed text, however many rows, on both engines.
func (db *DB) JSONRows(Param int) (from string, elem func(i int, cast string) string) {
	if db.Engine == Postgres {
		return fmt.Sprintf("jsonb_array_elements($%d::jsonb)", Param), func(i int, cast string) string {
			if cast != "" {
				return fmt.Sprintf("(value->>%d)::%s", i, cast)
			}
			return fmt.Sprintf("(value->>%d)", i)
		}
	}
	return fmt.Sprintf("json_each($%d)", Param), func(i int, _ string) string {
		return fmt.Sprintf("json_extract(value, '$[%d]')", i)
	}
}

// JSONStrings returns a subquery listing the strings of the JSON array in parameter $Param.
func (db *DB) JSONStrings(Param int) string {
	if db.Engine == Postgres {
		return fmt.Sprintf("SELECT jsonb_array_elements_text($%d::jsonb)", Param)
	}
	return fmt.Sprintf("SELECT value FROM json_each($%d)", Param)
}

// TimeText reads a timestamp column for a large scan. SQLite's driver
// parses a declared TIMESTAMP by trying layouts until one fits, a failed
// parse or two per value; as an expression it comes as the text we stored,
// which TimeScan parses once.
func (db *DB) TimeText(col string) string {
	if db.Engine == SQLite {
		return "(" + col + " || '')"
	}
	return col
}
