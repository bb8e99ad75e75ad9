package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

// FerretDB v1.24.2's SQLite backend creates its `_id` index on the expression
// `_ferretdb_sjson->"_id"` but queries with `_ferretdb_sjson->'$._id'`, so
// SQLite never uses the index and every `_id` look-up scans the table. Keywarden's
// hot paths (key verification, sessions) are `_id` look-ups, so the launcher adds
// an index on exactly the expression FerretDB queries with, for every
// collection table, shortly after the table appears. With the pushdown patch
// (sqlite-pushdown.patch) it adds one more per pushed-down field, on the
// expression the patch queries with.
const idIndexSuffix = "__kw_id"

// pushdownEnv is what the patched backend reads; see keywarden_pushdown.go in the patch.
const pushdownEnv = "KEYWARDEN_SQLITE_PUSHDOWN"

var fieldName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// pushdownFields parses the -pushdown flag: plain top-level field names only,
// since each is spliced into SQL (an index expression and the patch's WHERE).
func pushdownFields(flagValue string, idAllowed bool) ([]string, error) {
	var fields []string
	for _, f := range strings.Split(flagValue, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !fieldName.MatchString(f) || (f == "_id" && !idAllowed) {
			return nil, fmt.Errorf("-pushdown: %q is not a plain top-level field name", f)
		}
		fields = append(fields, f)
	}
	return fields, nil
}

type fileState struct {
	size    int64
	modTime time.Time
}

func watchIndexes(ctx context.Context, dir string, fields []string, indexes []orderIndex, logger *slog.Logger) {
	seen := map[string]fileState{}
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()

	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, file := range files {
			state := stateOf(file)
			if prev, ok := seen[file]; ok && prev == state {
				continue
			}
			if err := ensureIndexes(ctx, file, fields, indexes); err != nil {
				logger.Warn("index pass failed; retrying", slog.String("file", file), slog.String("error", err.Error()))
				delete(seen, file)
				continue
			}
			seen[file] = state
		}

		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// stateOf combines the database file and its WAL: new tables land in the WAL first.
func stateOf(file string) fileState {
	var s fileState
	for _, f := range []string{file, file + "-wal"} {
		if info, err := os.Stat(f); err == nil {
			s.size += info.Size()
			if info.ModTime().After(s.modTime) {
				s.modTime = info.ModTime()
			}
		}
	}
	return s
}

func ensureIndexes(ctx context.Context, file string, fields []string, indexes []orderIndex) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()

	tables, err := names(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\_ferretdb\_%' ESCAPE '\'`)
	if err != nil {
		return err
	}
	existing := map[string]bool{}
	indexNames, err := names(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'index'`)
	if err != nil {
		return err
	}
	for _, name := range indexNames {
		existing[name] = true
	}

	for _, table := range tables {
		if strings.ContainsRune(table, '"') {
			continue
		}
		qs := []string{fmt.Sprintf(`CREATE INDEX IF NOT EXISTS "%s%s" ON "%s" (_ferretdb_sjson->'$._id')`, table, idIndexSuffix, table)}
		for _, f := range fields {
			qs = append(qs, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS "%s__kw_%s" ON "%s" (_ferretdb_sjson->>'$.%s')`, table, f, table, f))
		}
		qs = append(qs, orderIndexStatements(table, indexes)...)
		if err := applyMissing(ctx, db, qs, existing); err != nil {
			return err
		}
	}
	return nil
}

var indexStatement = regexp.MustCompile(`^(CREATE INDEX IF NOT EXISTS|DROP INDEX IF EXISTS) "([^"]+)"`)

// applyMissing runs only the statements that change something (an index to create that is missing,
// or one to drop that exists), all of a table's in one transaction: each commit is one schema change,
// and FerretDB's statements that meet a schema change re-prepare, up to SQLite's 50 times
// (SQLITE_MAX_SCHEMA_RETRY). Run one by one, the hundreds of index statements of a fresh database
// (every table, every pushed field) changed the schema often enough, right as the application's first
// requests ran, that a query gave up with "database schema has changed" (SQLITE_SCHEMA). A pass that
// finds everything in place writes nothing.
func applyMissing(ctx context.Context, db *sql.DB, qs []string, existing map[string]bool) error {
	var todo []string
	for _, q := range qs {
		m := indexStatement.FindStringSubmatch(q)
		if m == nil || (m[1] == "DROP INDEX IF EXISTS") == existing[m[2]] {
			todo = append(todo, q)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, q := range todo {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

func names(ctx context.Context, db *sql.DB, query string) ([]string, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}
