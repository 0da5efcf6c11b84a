package printer

import (
	"errors"
	"os"
)

func openUSBDevice(string) (*os.File, bool, error) {
	return nil, false, errors.New("usb:// is only available on Linux; on Windows use spooler://PRINTER NAME")
}
