package database

import "database/sql"

// EachRow reads rows one at a time: scan turns the current row into a T,
// fn receives it. Long lists are streamed this way instead of loaded whole.
// rows is closed on return.
func EachRow[T any](rows *sql.Rows, scan func(*sql.Rows) (T, error), fn func(T) error) error {
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}
