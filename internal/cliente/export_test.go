package cliente

// SetSeedBulkThreshold lowers the size from which a PostgreSQL seed loads
// without indexes and foreign keys, for a test; it answers the undo.
func SetSeedBulkThreshold(n int) (undo func()) {
	old := seedBulkThreshold
	seedBulkThreshold = n
	return func() { seedBulkThreshold = old }
}
