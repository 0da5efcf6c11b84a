package printer_test

func systemStatusLinks() []statusLink { return nil }
