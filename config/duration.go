package config

import (
	"errors"
	"strings"
	"time"
)

// maxDuration bounds durations at a hundred years, well short of where
// time.Duration overflows.
const maxDuration = 36500 * 24 * time.Hour

var errDuration = errors.New(`want a duration such as "168h", "7d" or "30m"`)

// parseDuration reads a duration above zero, written as Go writes one
// ("168h", "30m", "1h30m") or starting with whole days ("7d", "1d12h"),
// since retention is naturally said in days.
func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errDuration
	}
	var days time.Duration
	rest := s
	if before, after, ok := strings.Cut(s, "d"); ok {
		if before == "" || len(before) > 5 || strings.Trim(before, "0123456789") != "" ||
			strings.HasPrefix(after, "-") || strings.HasPrefix(after, "+") {
			return 0, errDuration
		}
		for _, c := range before {
			days = days*10 + time.Duration(c-'0')
		}
		days *= 24 * time.Hour
		rest = after
	}
	var t time.Duration
	if rest != "" {
		var err error
		if t, err = time.ParseDuration(rest); err != nil {
			return 0, errDuration
		}
	}
	switch {
	case days > maxDuration || t > maxDuration-days:
		return 0, errors.New("must be at most 100 years")
	case days+t <= 0:
		return 0, errors.New("must be more than 0")
	}
	return days + t, nil
}
