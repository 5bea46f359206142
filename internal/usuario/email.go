package usuario

import "strings"

// NormalizeEmail is how emails are stored and compared: trimmed, lower-case.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
