// Command ferretdb-launcher serves FerretDB v1 (SQLite backend) on a Unix
// domain socket for Keywarden's embedded default. It uses the embedding API
// because `go install .../cmd/ferretdb` builds a binary without its version file.
//
// Only the user who runs Keywarden may reach the database or read its files:
// there is no TCP listener, the umask makes every file it creates 0600 (and
// every folder 0700), and the socket itself is 0600.
//
// The launcher prints "ready" on standard output once the socket accepts
// connections, and exits when its standard input closes, so a parent process
// that crashes (even on SIGKILL) never leaves a database server behind.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	syscall.Umask(0o077)

	socket := flag.String("socket", "", "Unix domain socket path to serve (required)")
	dir := flag.String("dir", "data/ferretdb", "directory for the SQLite files")
	watchStdin := flag.Bool("watch-stdin", true, "exit when standard input closes")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	pushdown := flag.String("pushdown", "teamId,ownerId,keyId,id,status", "comma-separated top-level fields, always scalar strings, whose equality or $in SQLite answers from an index (see PUSHDOWN.md); empty turns the pushdown patch off")
	orderPushdown := flag.String("order-pushdown", "createdAt,lastUsedAt,id,at,_id,hour,lastValidAt", "comma-separated top-level fields, each always one type (a date or a string) or null, that a sorted, limited find may read in order from an index, stopping at the page (see ORDER.md); empty turns it off")
	textPushdown := flag.String("text-pushdown", "nameLower,hint", "comma-separated top-level fields, always strings, whose literal $regex SQLite tests as a substring (see ORDER.md); empty turns it off")
	orderIndexes := flag.String("order-indexes", defaultOrderIndexes, "semicolon-separated collection:field,field,... composite indexes for the ordered reads (see ORDER.md)")
	atomic := flag.Bool("atomic", true, "run the write commands (insert, update, delete, findAndModify) one at a time, so each is atomic per document as in MongoDB (see ATOMIC.md); false restores FerretDB's own behaviour")
	bulkUpdate := flag.Bool("bulk-update", true, "write an updateMany's documents in transactions of 500 rather than one each (see BULK.md); false restores FerretDB's own behaviour")
	flag.Parse()

	if *socket == "" {
		fatal(errors.New("-socket is required"))
	}
	fields, err := pushdownFields(*pushdown, false)
	if err != nil {
		fatal(err)
	}
	// Read by the patched SQLite backend (sqlite-pushdown.patch) when it first answers a query.
	if err := os.Setenv(pushdownEnv, strings.Join(fields, ",")); err != nil {
		fatal(err)
	}

	// Read by the patched backend and handler (sqlite-sort-pushdown.patch).
	orderFields, err := pushdownFields(*orderPushdown, true)
	if err != nil {
		fatal(err)
	}
	textFields, err := pushdownFields(*textPushdown, false)
	if err != nil {
		fatal(err)
	}
	indexes, err := parseOrderIndexes(*orderIndexes)
	if err != nil {
		fatal(err)
	}
	if len(orderFields) == 0 {
		indexes = nil
	}
	for env, fs := range map[string][]string{orderEnv: orderFields, textEnv: textFields} {
		if err := os.Setenv(env, strings.Join(fs, ",")); err != nil {
			fatal(err)
		}
	}

	// Read by the patched handler (atomic-writes.patch) when it sets up its commands, in ferretdb.New below.
	atomicValue := "0"
	if *atomic {
		atomicValue = "1"
	}
	if err := os.Setenv(atomicEnv, atomicValue); err != nil {
		fatal(err)
	}

	// Read by the patched handler (bulk-update.patch) on the first updateMany.
	if err := os.Setenv(bulkUpdateEnv, boolEnv(*bulkUpdate)); err != nil {
		fatal(err)
	}

	abs, err := filepath.Abs(*dir)
	if err != nil {
		fatal(err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fatal(err)
	}
	if err := os.Chmod(abs, 0o700); err != nil {
		fatal(err)
	}
	// Checked before FerretDB opens the SQLite files: two servers must never share them.
	if err := removeStaleSocket(*socket); err != nil {
		fatal(err)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: *socket},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		fatal(err)
	}
	// New has bound the socket: connections wait in its backlog until Run accepts them.
	if err := os.Chmod(*socket, 0o600); err != nil {
		fatal(err)
	}
	fmt.Println("ready")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	go watchIndexes(ctx, abs, fields, indexes, logger)

	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		fatal(err)
	}
}

// removeStaleSocket deletes a socket file that a killed launcher left behind,
// and refuses to start when another server still answers on it.
func removeStaleSocket(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket", path)
	}
	if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
		conn.Close()
		return fmt.Errorf("another server already answers on %s", path)
	}
	return os.Remove(path)
}

// atomicEnv is what the patched handler reads; see keywarden_atomic.go in the patch.
const atomicEnv = "KEYWARDEN_ATOMIC_WRITES"

// bulkUpdateEnv is what the patched handler reads; see keywarden_bulk_update.go in bulk-update.patch.
const bulkUpdateEnv = "KEYWARDEN_BULK_UPDATE"

func boolEnv(on bool) string {
	if on {
		return "1"
	}
	return "0"
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "ferretdb-launcher:", err)
	os.Exit(1)
}
