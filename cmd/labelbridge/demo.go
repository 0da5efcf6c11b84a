package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/config"
	"github.com/labelbridge/labelbridge/printer"
)

// demoBatch is a sample of real-looking marketplace orders: Thai (with cash
// on delivery), Vietnamese, Malaysian and English addresses.
//
//go:embed demodata/batch.json
var demoBatch []byte

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "folder for the virtual printers' output (default: a new folder in the temp dir)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dir := *out
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "labelbridge-demo-"); err != nil {
			fmt.Fprintf(stderr, "labelbridge demo: %v\n", err)
			return 1
		}
	}
	code, err := runDemo(ctx, dir, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge demo: %v\n", err)
	}
	return code
}

// runDemo starts the daemon in-process with two virtual printers, prints
// the sample batch's pick list and shipping labels through the real
// WebSocket API, and says where the PNGs are.
func runDemo(ctx context.Context, dir string, stdout, stderr io.Writer) (int, error) {
	var batch struct {
		BatchID string            `json:"batch_id"`
		Orders  []json.RawMessage `json:"orders"`
	}
	if err := json.Unmarshal(demoBatch, &batch); err != nil {
		return 1, fmt.Errorf("sample batch: %w", err)
	}
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = dir
	for _, p := range []config.Printer{
		{Name: "demo-labels", Connection: "virtual://demo-labels", Language: labelbridge.ZPL, DPI: 203, Media: "100x150mm", Text: "auto"},
		{Name: "demo-picklist", Connection: "virtual://demo-picklist", Language: labelbridge.ESCPOS, DPI: 203, Width: "80mm", Text: "auto"},
	} {
		addr, err := printer.ParseAddress(p.Connection)
		if err != nil {
			return 1, err
		}
		p.Address = addr
		cfg.Printers = append(cfg.Printers, p)
	}
	m := &Main{Config: cfg, Log: newLogger(stderr, "warn", "auto"), Version: version}
	if err := m.Open(); err != nil {
		return 1, err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m.Close(ctx)
	}()
	addr := m.Server.Addr()
	fmt.Fprintf(stdout, "labelbridge %s demo: daemon on ws://%s/v1/ws, virtual printers writing to %s\n", version, addr, dir)

	pick := map[string]any{"printer": "demo-picklist", "idempotency_key": batch.BatchID + "/picklist",
		"documents": []any{map[string]any{"ref": batch.BatchID, "kind": "pick_list",
			"data": map[string]any{"batch_id": batch.BatchID, "orders": batch.Orders}}}}
	labels := make([]any, 0, len(batch.Orders))
	for _, o := range batch.Orders {
		var id struct {
			OrderID string `json:"order_id"`
		}
		json.Unmarshal(o, &id)
		labels = append(labels, map[string]any{"ref": id.OrderID, "kind": "shipping_label", "data": o})
	}
	labelJob := map[string]any{"printer": "demo-labels", "idempotency_key": batch.BatchID + "/labels", "documents": labels}

	for _, step := range []struct {
		what string
		job  map[string]any
	}{{"pick list", pick}, {fmt.Sprintf("%d shipping labels", len(labels)), labelJob}} {
		fmt.Fprintf(stdout, "printing the %s of batch %s…\n", step.what, batch.BatchID)
		bar := newProgress(stderr, false)
		ok, err := submitAndWatch(ctx, addr, "", step.job, bar)
		bar.finish()
		if err != nil {
			return 1, err
		}
		if !ok {
			return 1, fmt.Errorf("the %s did not print completely", step.what)
		}
	}
	var pngs []string
	filepath.WalkDir(filepath.Join(dir, "virtual"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(path) == ".png" {
			pngs = append(pngs, path)
		}
		return nil
	})
	sort.Strings(pngs)
	if len(pngs) == 0 {
		return 1, fmt.Errorf("no PNGs were written under %s", dir)
	}
	fmt.Fprintf(stdout, "\ndone: %d pages rendered. The PNGs are in:\n  %s\n  %s\n",
		len(pngs), filepath.Join(dir, "virtual", "demo-picklist"), filepath.Join(dir, "virtual", "demo-labels"))
	fmt.Fprintf(stdout, "(next to each PNG is the exact ZPL or ESC/POS a real printer would have received)\n")
	return 0, nil
}
