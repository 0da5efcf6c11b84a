package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Bounds on a label's size in millimetres: wider than any label printer's
// head, longer than any shipping label, yet they catch a unit or digit slip.
const (
	minMediaMM       = 5
	maxMediaWidthMM  = 250
	maxMediaHeightMM = 1000
)

var errMedia = errors.New("want WIDTHxHEIGHT in mm or in, such as 100x150mm or 4x6in")

// parseMedia checks a label size such as "100x150mm" or "4x6in" and returns
// it in lower case.
func parseMedia(s string) (string, error) {
	m := strings.ToLower(s)
	var scale float64
	switch {
	case strings.HasSuffix(m, "mm"):
		scale = 1
	case strings.HasSuffix(m, "in"):
		scale = 25.4
	default:
		return "", errMedia
	}
	ws, hs, ok := strings.Cut(m[:len(m)-2], "x")
	if !ok {
		return "", errMedia
	}
	w, err := mediaSide(ws)
	if err != nil {
		return "", err
	}
	h, err := mediaSide(hs)
	if err != nil {
		return "", err
	}
	if w *= scale; w < minMediaMM || w > maxMediaWidthMM {
		return "", fmt.Errorf("width must be from %d to %d mm", minMediaMM, maxMediaWidthMM)
	}
	if h *= scale; h < minMediaMM || h > maxMediaHeightMM {
		return "", fmt.Errorf("height must be from %d to %d mm", minMediaMM, maxMediaHeightMM)
	}
	return m, nil
}

// mediaSide reads a plain decimal number: digits and at most one point, no
// sign, exponent or underscore that ParseFloat would also take.
func mediaSide(s string) (float64, error) {
	if s == "" || len(s) > 8 || strings.Trim(s, "0123456789.") != "" || strings.Count(s, ".") > 1 || s == "." {
		return 0, errMedia
	}
	return strconv.ParseFloat(s, 64)
}
