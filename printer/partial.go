package printer

// PartialWrite reports whether part of the document went out before the
// failure: the printer may have printed a fragment, and sending the document
// again may repeat what was printed.
func (e *Error) PartialWrite() bool { return e.Written > 0 }
