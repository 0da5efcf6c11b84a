// Package labelbridge holds the vocabulary every other package shares: jobs,
// documents, their states, events and protocol error codes.
//
// It imports nothing of ours, so that queue, printer, label, the encoders and
// daemon can all speak about the same Job without knowing of each other. The
// path of a print job through the code reads as the package names:
// daemon (WebSocket/HTTP) -> queue (durable store, per-printer worker) ->
// render (label layout + zpl/escpos/tspl encoders) -> printer (transport).
package labelbridge
