package ios

// NormalizeMAC returns a MAC address in lower-case colon form
// ("aa:bb:cc:00:11:22") from Cisco's dotted form ("aabb.cc00.1122"), colon or
// hyphen forms, or 12 bare hex digits ("00055eff5781"). ok is false for
// anything else, including the switch's "Unknown" and "Incomplete".
func NormalizeMAC(s string) (mac string, ok bool) {
	var digits [12]byte
	n := 0
	sep := byte(0)
	group := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		case c == '.' || c == ':' || c == '-':
			if sep == 0 {
				sep = c
			} else if c != sep {
				return "", false
			}
			// Dotted form groups 4 digits, colon and hyphen forms 2.
			want := 2
			if c == '.' {
				want = 4
			}
			if group != want {
				return "", false
			}
			group = 0
			continue
		default:
			return "", false
		}
		if n == 12 {
			return "", false
		}
		digits[n] = c
		n++
		group++
	}
	if n != 12 {
		return "", false
	}
	if sep != 0 {
		want := 2
		if sep == '.' {
			want = 4
		}
		if group != want {
			return "", false
		}
	}
	var out [17]byte
	for i, j := 0, 0; i < 12; i += 2 {
		if i > 0 {
			out[j] = ':'
			j++
		}
		out[j], out[j+1] = digits[i], digits[i+1]
		j += 2
	}
	return string(out[:]), true
}

// isDottedMAC reports whether s is a MAC in Cisco's dotted form, the shape
// that marks a table row as an address row.
func isDottedMAC(s string) bool {
	if len(s) != 14 || s[4] != '.' || s[9] != '.' {
		return false
	}
	_, ok := NormalizeMAC(s)
	return ok
}
