package cliente

// ConsumidorFinal is the RUC a sale to an anonymous customer carries.
const ConsumidorFinal = "9999999999999"

// ValidIdentification checks an Ecuadorian cédula (10 digits) or RUC (13)
// by its check digit: cédulas and RUCs of natural persons modulo 10, RUCs
// of private companies (third digit 9) and public entities (third digit 6)
// modulo 11. The consumidor final number is accepted.
func ValidIdentification(s string) bool {
	if s == ConsumidorFinal {
		return true
	}
	if (len(s) != 10 && len(s) != 13) || !isDigits(s) {
		return false
	}
	if !validProvince(s[:2]) {
		return false
	}
	third := s[2] - '0'
	switch {
	case third < 6: // natural person
		if !cedulaCheck(s[:10]) {
			return false
		}
		return len(s) == 10 || s[10:] != "000"
	case len(s) == 10:
		return false
	case third == 9: // private company
		return mod11Check(s[:9], s[9], []int{4, 3, 2, 7, 6, 5, 4, 3, 2}) && s[10:] != "000"
	case third == 6: // public entity: check digit 9th, four establishment digits
		return mod11Check(s[:8], s[8], []int{3, 2, 7, 6, 5, 4, 3, 2}) && s[9:] != "0000"
	}
	return false
}

// validProvince: 01–24 are the provinces, 30 Ecuadorians registered abroad.
func validProvince(p string) bool {
	n := int(p[0]-'0')*10 + int(p[1]-'0')
	return (n >= 1 && n <= 24) || n == 30
}

func cedulaCheck(c string) bool { return cedulaDigit(c[:9]) == c[9] }

// cedulaDigit is the modulo-10 check digit of a cédula's first nine digits:
// coefficients 2,1,2,1…, products over 9 reduced by 9, and the digit that
// completes the sum to a multiple of 10.
func cedulaDigit(c string) byte {
	sum := 0
	for i := 0; i < 9; i++ {
		d := int(c[i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// mod11Check: weighted sum, check = 11 - sum mod 11, where 11 means 0 and
// 10 means the number cannot be valid.
func mod11Check(digits string, check byte, weights []int) bool {
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	v := 11 - sum%11
	if v == 11 {
		v = 0
	}
	return v != 10 && v == int(check-'0')
}
