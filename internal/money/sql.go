package money

import "fmt"

// Scan reads a money column of either database: SQLite stores INTEGER
// centavos (an int64 arrives), PostgreSQL NUMERIC(12,2) arrives as decimal
// text ("85.50"). So an integer always means centavos and text always
// means units; select `(col*100)::bigint` or the plain column, both scan.
// NULL is an error: use COALESCE or *Cents with NullCents.
func (c *Cents) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*c = Cents(v)
		return nil
	case []byte:
		return c.parse(string(v))
	case string:
		return c.parse(v)
	case nil:
		return fmt.Errorf("money: NULL scanned into Cents")
	}
	return fmt.Errorf("money: cannot scan %T", src)
}

func (c *Cents) parse(s string) error {
	v, err := Parse(s)
	if err != nil {
		// SUM over NUMERIC(12,2) keeps two decimals; anything else is a bug.
		return fmt.Errorf("money: scan %q: %w", s, err)
	}
	*c = v
	return nil
}

// NullCents is a nullable money column (monto_final_real, cambio…).
type NullCents struct {
	Cents Cents
	Valid bool
}

// Scan reads NULL as not valid, anything else as Cents.Scan does.
func (n *NullCents) Scan(src any) error {
	if src == nil {
		*n = NullCents{}
		return nil
	}
	n.Valid = true
	return n.Cents.Scan(src)
}

// Ptr is the value as a pointer, nil when NULL (JSON null).
func (n NullCents) Ptr() *Cents {
	if !n.Valid {
		return nil
	}
	c := n.Cents
	return &c
}

// SQLiteValue and PostgresValue are what a store binds for c on each
// database (database.DB.Money picks one): centavos, or decimal text.
func (c Cents) SQLiteValue() int64 { return int64(c) }

// PostgresValue is c as NUMERIC text, "85.50".
func (c Cents) PostgresValue() string { return c.String() }
