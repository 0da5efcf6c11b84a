package printer_test

// systemTransports are the links that need this system's devices. None can
// be made on Windows without hardware: COM ports and spooler queues.
func systemTransports() []transport { return nil }
