package cliente

// prefixUpper is the smallest string above every string starting with p in
// byte order (the "C" collation on PostgreSQL, BINARY on SQLite), so that
// `x >= p AND x < prefixUpper(p)` is a prefix match an index can range-scan.
func prefixUpper(p string) string { return p + "\U0010FFFF" }
