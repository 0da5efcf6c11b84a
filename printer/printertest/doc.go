// Package printertest holds printers for tests and the demo: real ones, not
// mocks. TCP is a raw port-9100 listener on 127.0.0.1; Serial (unix only) a
// pseudo-terminal pair whose terminal side the code under test opens like
// /dev/ttyUSB0. Each records every byte it receives, can answer what it
// receives through a Reply function, as a printer answers a status query,
// and can be told to misbehave the way real printers do: refuse
// connections, stall, drop a connection mid-document, hold the line with
// XOFF.
//
// Every simulator owns its goroutines: Close stops them and waits for them.
package printertest
