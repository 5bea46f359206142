package money

import (
	"bytes"
	"errors"
)

// Amount is a money value as it arrives in a JSON body: a JSON number kept
// as its text, so that "10.123" can be refused instead of rounded. The
// validator's money rules (httpapi) check it; Cents converts it.
type Amount string

// errNotNumber makes the decoder report the field as "debe ser un número".
var errNotNumber = errors.New("money: not a JSON number")

// UnmarshalJSON accepts JSON numbers only (not strings, booleans, objects).
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || !(b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) {
		return errNotNumber
	}
	*a = Amount(b)
	return nil
}

// JSONKind names the expected JSON type in decode messages.
func (Amount) JSONKind() string { return "un número" }

// Cents converts a checked amount; Parse's errors otherwise.
func (a Amount) Cents() (Cents, error) { return Parse(string(a)) }
