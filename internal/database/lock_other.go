//go:build !unix

package database

// LockSQLite does nothing where flock is missing (Windows): a second server
// on the same SQLite file is not detected there.
func LockSQLite(dbURL string) (unlock func(), err error) { return func() {}, nil }
