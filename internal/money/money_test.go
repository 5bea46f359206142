package money

import (
	"encoding/json"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want Cents
		err  error
	}{
		{"0", 0, nil}, {"12", 1200, nil}, {"12.5", 1250, nil}, {"12.50", 1250, nil},
		{"0.1", 10, nil}, {"0.10", 10, nil}, {"-0.5", -50, nil}, {"1e2", 10000, nil},
		{"1.5E1", 1500, nil}, {"125e-2", 125, nil}, {"9999999999.99", Max, nil},
		{"10.123", 0, ErrDecimals}, {"1e-3", 0, ErrDecimals}, {"10.120", 1012, nil},
		{"", 0, ErrSyntax}, {"abc", 0, ErrSyntax}, {"1.", 0, ErrSyntax}, {".5", 0, ErrSyntax},
		{"1e400", 0, ErrSyntax}, {"99999999999999", 0, ErrRange},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != c.err || (err == nil && got != c.want) {
			t.Errorf("Parse(%q) = %d, %v; want %d, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		c    Cents
		str  string
		json string
		num  string
	}{
		{0, "0.00", `"0.00"`, "0"}, {8550, "85.50", `"85.50"`, "85.5"}, {5, "0.05", `"0.05"`, "0.05"},
		{-50, "-0.50", `"-0.50"`, "-0.5"}, {5500, "55.00", `"55.00"`, "55"}, {Max, "9999999999.99", `"9999999999.99"`, "9999999999.99"},
	}
	for _, c := range cases {
		if c.c.String() != c.str {
			t.Errorf("%d.String() = %q, want %q", c.c, c.c.String(), c.str)
		}
		if b, _ := json.Marshal(c.c); string(b) != c.json {
			t.Errorf("json(%d) = %s, want %s", c.c, b, c.json)
		}
		if b, _ := json.Marshal(Number(c.c)); string(b) != c.num {
			t.Errorf("json(Number(%d)) = %s, want %s", c.c, b, c.num)
		}
	}
}

func TestMulPercent(t *testing.T) {
	if got, ok := Cents(1250).Mul(3); !ok || got != 3750 {
		t.Errorf("Mul = %d %v", got, ok)
	}
	if _, ok := Max.Mul(2); ok {
		t.Error("Mul overflow not detected")
	}
	// 10.00 × 2.5% = 0.25; 0.10 × 5% = 0.005 → 0.01 (half up)
	if got := Cents(1000).Percent(250); got != 25 {
		t.Errorf("Percent = %d", got)
	}
	if got := Cents(10).Percent(500); got != 1 {
		t.Errorf("Percent half up = %d", got)
	}
}

func TestAmountJSON(t *testing.T) {
	var v struct{ M Amount }
	if err := json.Unmarshal([]byte(`{"M":10.50}`), &v); err != nil || v.M != "10.50" {
		t.Fatalf("number: %v %q", err, v.M)
	}
	for _, bad := range []string{`{"M":"10"}`, `{"M":true}`, `{"M":{}}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// AppendJSON writes what MarshalJSON answers, onto what b holds.
func TestAppendJSON(t *testing.T) {
	for _, c := range []struct {
		c    Cents
		want string
	}{{0, `"0.00"`}, {5, `"0.05"`}, {50, `"0.50"`}, {8550, `"85.50"`}, {-50, `"-0.50"`}, {-1, `"-0.01"`},
		{-1234, `"-12.34"`}, {Max, `"9999999999.99"`}, {-Max, `"-9999999999.99"`}} {
		marshaled, _ := c.c.MarshalJSON()
		if got := c.c.AppendJSON([]byte("x")); string(got) != "x"+c.want || string(marshaled) != c.want {
			t.Errorf("%d: AppendJSON %s, MarshalJSON %s, want %s", c.c, got, marshaled, c.want)
		}
	}
}
