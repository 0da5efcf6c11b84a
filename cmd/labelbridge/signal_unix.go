//go:build !windows

package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/rs/zerolog"
)

func exitOnSecondSignal(log zerolog.Logger) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	<-c
	log.Warn().Msg("second signal: exiting now")
	os.Exit(130)
}
