package printer

import (
	"errors"
	"os"
)

func openUSBDevice(string) (*os.File, error) {
	return nil, errors.New("usb:// is only available on Linux; on Windows use spooler://PRINTER NAME")
}
