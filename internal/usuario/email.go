package usuario

import "github.com/kantuta/kantuta/internal/auth"

// NormalizeEmail is how emails are stored and compared: trimmed, lower-case
// (the one rule auth's login and reset lookups use too).
func NormalizeEmail(email string) string { return auth.NormalizeEmail(email) }
