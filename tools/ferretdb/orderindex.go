package main

import (
	"fmt"
	"regexp"
	"strings"
)

// The sort pushdown (sqlite-sort-pushdown.patch, ORDER.md) reads a page in
// order from an index and stops there: that needs an index whose columns are
// the query's equalities, then its sort fields, on the expressions the patch
// queries with (`_ferretdb_sjson->>'$.<field>'`). The launcher adds them to the
// tables of the collections named, as it adds the `_id` index.
const orderEnv = "KEYWARDEN_SQLITE_ORDER"

const textEnv = "KEYWARDEN_SQLITE_TEXT"

// defaultOrderIndexes: the key lists (newest/oldest, recently used, one owner's
// or a member's own keys), the audit log, and one key's usage. The team-wide key
// list indexes also hold `_id`, `nameLower` and `hint` after their sort fields:
// a text search and the `_id` halves (server/db/key-list-query.ts) are tested on
// the index entry, so a key that does not match is never read from the table
// (SQLite takes an indexed expression's value from the index, ORDER.md).
const defaultOrderIndexes = "keys:teamId,createdAt,id,_id,nameLower,hint;keys:teamId,lastUsedAt,id,_id,nameLower,hint;" +
	"keys:teamId,ownerId,createdAt,id;" +
	"keys:teamId,id;keys:createdAt;audit:teamId,at,_id;usage:teamId,keyId,hour"

type orderIndex struct {
	collection string
	fields     []string
}

var collectionName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func parseOrderIndexes(flagValue string) ([]orderIndex, error) {
	var indexes []orderIndex
	for _, spec := range strings.Split(flagValue, ";") {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		coll, list, ok := strings.Cut(spec, ":")
		if !ok || !collectionName.MatchString(coll) {
			return nil, fmt.Errorf("-order-indexes: %q is not collection:field,field", spec)
		}
		fields, err := pushdownFields(list, true)
		if err != nil || len(fields) == 0 {
			return nil, fmt.Errorf("-order-indexes: %q is not collection:field,field", spec)
		}
		indexes = append(indexes, orderIndex{collection: coll, fields: fields})
	}
	return indexes, nil
}

// FerretDB names a collection's table `<lower-case name>_<8 hex digits>`.
func orderIndexStatements(table string, indexes []orderIndex) []string {
	var qs []string
	for _, ix := range indexes {
		if !regexp.MustCompile(`^` + ix.collection + `_[0-9a-f]{8}$`).MatchString(table) {
			continue
		}
		cols := make([]string, len(ix.fields))
		for i, f := range ix.fields {
			cols[i] = fmt.Sprintf(`_ferretdb_sjson->>'$.%s'`, f)
		}
		qs = append(qs, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS "%s__kw_o_%s" ON "%s" (%s)`, table, strings.Join(ix.fields, "_"), table, strings.Join(cols, ", ")))
		// An index an earlier default made that this one extends (its columns are this one's first): SQLite
		// would as soon walk the old one, and then read every row a search or an `_id` half rejects.
		for _, old := range supersededOrderIndexes {
			name := strings.Join(old.fields, "_")
			if old.collection == ix.collection && strings.HasPrefix(strings.Join(ix.fields, "_"), name+"_") && !listedOrderIndex(indexes, old) {
				qs = append(qs, fmt.Sprintf(`DROP INDEX IF EXISTS "%s__kw_o_%s"`, table, name))
			}
		}
	}
	return qs
}

// supersededOrderIndexes: order indexes of earlier defaults that the current key list indexes extend.
var supersededOrderIndexes = []orderIndex{
	{collection: "keys", fields: []string{"teamId", "createdAt", "id"}},
	{collection: "keys", fields: []string{"teamId", "lastUsedAt", "id"}},
}

func listedOrderIndex(indexes []orderIndex, ix orderIndex) bool {
	for _, other := range indexes {
		if other.collection == ix.collection && strings.Join(other.fields, ",") == strings.Join(ix.fields, ",") {
			return true
		}
	}
	return false
}
