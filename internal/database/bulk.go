package database

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// DropForBulkLoad drops the foreign keys and the non-unique indexes of the
// given PostgreSQL tables, as the catalog defines them now, and answers the
// statements that make them again: indexes first, then the foreign keys,
// which then validate every row once instead of one lookup and one row lock
// of the parent per loaded row. Unique indexes and primary keys stay, so a
// load still meets every uniqueness rule as it goes.
//
// Run it, the load and the answer in one transaction: PostgreSQL's DDL is
// transactional, so a failure, a rollback or a crash gives the schema back
// as it was. The transaction holds ACCESS EXCLUSIVE locks on the tables
// until it ends. tables are the caller's constants, never user input.
func DropForBulkLoad(ctx context.Context, tx pgx.Tx, tables ...string) (restore []string, err error) {
	var drop, create []string
	read := func(q string) error {
		rows, err := tx.Query(ctx, q, tables)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d, c string
			if err := rows.Scan(&d, &c); err != nil {
				return err
			}
			drop, create = append(drop, d), append(create, c)
		}
		return rows.Err()
	}
	if err := read(`SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname),
		format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
		FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY (CAST($1 AS text[])::regclass[]) ORDER BY conrelid, conname`); err != nil {
		return nil, fmt.Errorf("bulk load: read foreign keys: %w", err)
	}
	fks := len(create)
	if err := read(`SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
		FROM pg_index i WHERE i.indrelid = ANY (CAST($1 AS text[])::regclass[]) AND NOT i.indisunique
		ORDER BY i.indrelid, i.indexrelid`); err != nil {
		return nil, fmt.Errorf("bulk load: read indexes: %w", err)
	}
	for _, q := range drop {
		if _, err := tx.Exec(ctx, q); err != nil {
			return nil, fmt.Errorf("bulk load: %s: %w", q, err)
		}
	}
	return append(create[fks:], create[:fks]...), nil
}

// RestoreAfterBulkLoad runs what DropForBulkLoad answered, with room to
// sort in memory for the index builds. The caller refreshes the planner
// statistics afterwards (ANALYZE, or a VACUUM ANALYZE after the commit).
func RestoreAfterBulkLoad(ctx context.Context, tx pgx.Tx, restore []string) error {
	if len(restore) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	for _, q := range restore {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("bulk load: %s: %w", q, err)
		}
	}
	return nil
}

// LoadInBatches loads n rows in batches of at most size: gen builds the
// batch of the rows from done on on another goroutine, one batch ahead of
// load, which writes it (two cores: generating and writing overlap);
// progress, when set, hears how many rows are written so far. It returns
// after the generator has stopped, so what gen accumulates is final once
// it returns nil.
func LoadInBatches[B any](ctx context.Context, n, size int, gen func(done, size int) B, load func(B) error, progress func(done int)) error {
	gctx, cancel := context.WithCancel(ctx)
	batches := make(chan B, 1)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		defer close(batches)
		for done := 0; done < n; done += size {
			select {
			case batches <- gen(done, min(size, n-done)):
			case <-gctx.Done():
				return
			}
		}
	}()
	defer func() { cancel(); <-stopped }()
	written := 0
	for batch := range batches {
		if err := load(batch); err != nil {
			return fmt.Errorf("batch at %d: %w", written, err)
		}
		written = min(written+size, n)
		if progress != nil {
			progress(written)
		}
	}
	return ctx.Err()
}
