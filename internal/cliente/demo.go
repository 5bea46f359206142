package cliente

import "fmt"

// CedulaFor derives a valid cédula from n, distinct for every n below
// 144,000,000 (24 provinces × 6 third digits × 10⁶), so demo customers never
// collide with each other. The digits are scrambled to look random.
func CedulaFor(n int64) string {
	n %= 144_000_000
	// 999,983 is prime, hence invertible modulo 10⁶: a bijection.
	first := fmt.Sprintf("%02d%d%06d", n%24+1, (n/24)%6, (n/144*999_983)%1_000_000)
	return first + string(cedulaDigit(first))
}
