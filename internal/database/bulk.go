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
