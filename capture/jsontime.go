package capture

import "time"

// maxFastSeconds is the first second of the year 10000: up to there a time
// has a four-digit year and appendTime needs no help from package time.
const maxFastSeconds = 253402300800

// dayCache remembers the date part of the last time appendTime wrote:
// the attempts of one capture mostly fall on one day.
type dayCache struct {
	day   int64 // days since 1970-01-01, plus one; zero: empty
	label [10]byte
}

// appendTime appends t in UTC as TimeFormat renders it, without parsing the
// layout: writing millions of attempts spends most of its time there
// otherwise. Times before 1970 or after 9999 take package time's path.
// days, when not nil, caches the date.
func appendTime(b []byte, t time.Time, days *dayCache) []byte {
	sec := t.Unix()
	if sec < 0 || sec >= maxFastSeconds {
		return t.UTC().AppendFormat(b, TimeFormat)
	}
	day, rem := sec/86400, int(sec%86400)
	ns := t.Nanosecond()
	var buf [30]byte
	put2 := func(i, v int) { buf[i], buf[i+1] = byte('0'+v/10), byte('0'+v%10) }
	if days != nil && days.day == day+1 {
		copy(buf[:10], days.label[:])
	} else {
		y, m, d := civilDate(day)
		put2(0, y/100)
		put2(2, y%100)
		buf[4] = '-'
		put2(5, m)
		buf[7] = '-'
		put2(8, d)
		if days != nil {
			days.day = day + 1
			copy(days.label[:], buf[:10])
		}
	}
	buf[10] = 'T'
	put2(11, rem/3600)
	buf[13] = ':'
	put2(14, rem/60%60)
	buf[16] = ':'
	put2(17, rem%60)
	buf[19] = '.'
	for i := 28; i >= 20; i-- {
		buf[i] = byte('0' + ns%10)
		ns /= 10
	}
	buf[29] = 'Z'
	return append(b, buf[:]...)
}

// civilDate returns the proleptic Gregorian date of a day counted from
// 1970-01-01 (days >= 0). It counts in eras of 400 years, which repeat
// exactly, from a year that starts on March 1 so the leap day comes last.
func civilDate(days int64) (year, month, day int) {
	const (
		daysPerEra = 146097 // 400 years
		shift      = 719468 // days from 0000-03-01 to 1970-01-01
	)
	z := days + shift
	era := z / daysPerEra
	doe := z - era*daysPerEra                              // day of era, [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of era, [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the March-based year, [0, 365]
	mp := (5*doy + 2) / 153                                // month from March, [0, 11]
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int(yoe + era*400)
	if month <= 2 {
		year++
	}
	return year, month, day
}
