package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

// FerretDB v1.24.2's SQLite backend creates its `_id` index on the expression
// `_ferretdb_sjson->"_id"` but queries with `_ferretdb_sjson->'$._id'`, so
// SQLite never uses the index and every `_id` look-up scans the table. Keywarden's
// hot paths (key verification, sessions) are `_id` look-ups, so the launcher adds
// an index on exactly the expression FerretDB queries with, for every
// collection table, shortly after the table appears.
const idIndexSuffix = "__kw_id"

type fileState struct {
	size    int64
	modTime time.Time
}

func watchIDIndexes(ctx context.Context, dir string, logger *slog.Logger) {
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
			if err := ensureIDIndexes(ctx, file); err != nil {
				logger.Warn("id index pass failed; retrying", slog.String("file", file), slog.String("error", err.Error()))
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

func ensureIDIndexes(ctx context.Context, file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()

	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\_ferretdb\_%' ESCAPE '\'`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()

	for _, table := range tables {
		if strings.ContainsRune(table, '"') {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS "%s%s" ON "%s" (_ferretdb_sjson->'$._id')`, table, idIndexSuffix, table)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
