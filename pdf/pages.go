package pdf

import (
	"strconv"
	"strings"

	"github.com/labelbridge/labelbridge"
)

// ParsePages turns a page selection such as "1-3,7" into 1-based page
// numbers, in the order written, for a document of count pages. An empty
// spec selects every page. Errors are invalid_request errors on "pages" that
// quote the part at fault.
func ParsePages(spec string, count int) ([]int, error) {
	if strings.TrimSpace(spec) == "" {
		pages := make([]int, count)
		for i := range pages {
			pages[i] = i + 1
		}
		return pages, nil
	}
	var pages []int
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, labelbridge.Invalid("pages", "empty part in %q", spec)
		}
		first, last, isRange := strings.Cut(part, "-")
		from, err := pageNumber(first, part, count)
		if err != nil {
			return nil, err
		}
		to := from
		if isRange {
			if to, err = pageNumber(last, part, count); err != nil {
				return nil, err
			}
			if to < from {
				return nil, labelbridge.Invalid("pages", "%q runs backwards", part)
			}
		}
		// A selection never prints more pages than it names, so a range
		// cannot make the list grow past the document's size per part.
		for p := from; p <= to; p++ {
			pages = append(pages, p)
		}
	}
	return pages, nil
}

func pageNumber(s, part string, count int) (int, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, labelbridge.Invalid("pages", "%q is not a page number", part)
	}
	if n > count {
		return 0, labelbridge.Invalid("pages", "page %d in %q is out of range: the PDF has %d pages", n, part, count)
	}
	return n, nil
}
