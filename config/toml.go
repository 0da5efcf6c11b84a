package config

import (
	"bytes"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// tomlTree parses a TOML config into nodes, reporting syntax errors to d.
//
// It reads the file twice. go-toml's decoder checks everything TOML forbids
// (a key set twice, a table defined twice, an integer out of range) and says
// where, mostly (errorLine finds the rest); once it accepts the file,
// go-toml's parser, which gives the byte range of every key and value,
// builds the nodes with their lines.
func tomlTree(d *decoder, data []byte) *node {
	c := tomlConverter{}
	for i, b := range data {
		if b == '\n' {
			c.newlines = append(c.newlines, i)
		}
	}
	if err := tomlCheck(data); err != nil {
		var de *toml.DecodeError
		line := 0
		if errors.As(err, &de) {
			line, _ = de.Position()
		} else {
			line = c.errorLine(data)
		}
		msg := strings.TrimPrefix(err.Error(), "toml: ")
		d.add(line, "", "invalid TOML: %s%s", msg, escapeHint(msg))
		return nil
	}
	return c.tree(data)
}

// tomlCheck reports what go-toml's decoder finds wrong with data.
func tomlCheck(data []byte) error {
	var m map[string]any
	return toml.Unmarshal(data, &m)
}

// errorLine finds where a TOML error go-toml reports without a position
// is: a key or table defined twice. Such an error belongs to one expression
// and every longer prefix of the file keeps it, so the line is that of the
// first expression whose prefix fails.
func (c *tomlConverter) errorLine(data []byte) int {
	// TOML puts each expression on a line of its own, so a prefix cut at
	// the start of an expression's line is complete.
	var starts []int
	c.p.Reset(data)
	for c.p.NextExpression() {
		e := c.p.Expression()
		if e.Kind != unstable.KeyValue && e.Kind != unstable.Table && e.Kind != unstable.ArrayTable {
			continue
		}
		it := e.Key()
		if !it.Next() {
			continue
		}
		off := int(it.Node().Raw.Offset)
		starts = append(starts, bytes.LastIndexByte(data[:off], '\n')+1)
	}
	k := sort.Search(len(starts), func(k int) bool {
		end := len(data)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		return tomlCheck(data[:end]) != nil
	})
	if k == len(starts) {
		return 0
	}
	return sort.SearchInts(c.newlines, starts[k]) + 1
}

type tomlConverter struct {
	p        unstable.Parser
	newlines []int // offsets of every '\n'
}

// line returns the line of r, or fallback when the parser gave the node no
// range (booleans and arrays have none).
func (c *tomlConverter) line(r unstable.Range, fallback int) int {
	if r.Length == 0 {
		return fallback
	}
	return sort.SearchInts(c.newlines, int(r.Offset)) + 1
}

func (c *tomlConverter) tree(data []byte) *node {
	root := &node{kind: kindMap, line: 1}
	table := root
	c.p.Reset(data)
	for c.p.NextExpression() {
		e := c.p.Expression()
		if e.Kind != unstable.KeyValue && e.Kind != unstable.Table && e.Kind != unstable.ArrayTable {
			continue
		}
		keys := c.keys(e)
		if len(keys) == 0 {
			continue // the parser always gives a key; no surprise becomes a panic
		}
		switch e.Kind {
		case unstable.KeyValue:
			c.keyValue(table, e)
		case unstable.Table:
			table = root
			for _, k := range keys {
				table = c.child(table, k)
			}
		case unstable.ArrayTable:
			table = root
			for _, k := range keys[:len(keys)-1] {
				table = c.child(table, k)
			}
			table = c.appendTable(table, keys[len(keys)-1])
		}
	}
	return root
}

// tomlKey is one part of a dotted key.
type tomlKey struct {
	name string
	line int
}

func (c *tomlConverter) keys(e *unstable.Node) []tomlKey {
	var keys []tomlKey
	it := e.Key()
	for it.Next() {
		k := it.Node()
		keys = append(keys, tomlKey{name: string(k.Data), line: c.line(k.Raw, 0)})
	}
	return keys
}

// keyValue adds "a.b.c = value" to table.
func (c *tomlConverter) keyValue(table *node, kv *unstable.Node) {
	keys := c.keys(kv)
	if len(keys) == 0 {
		return
	}
	for _, k := range keys[:len(keys)-1] {
		table = c.child(table, k)
	}
	last := keys[len(keys)-1]
	table.fields = append(table.fields, field{key: last.name, line: last.line, val: c.value(kv.Value(), last.line)})
}

// child returns the table k names in table, creating it if the file has not
// yet: a table that is an array of tables ([[printers]]) means its last one.
func (c *tomlConverter) child(table *node, k tomlKey) *node {
	for _, f := range table.fields {
		if f.key != k.name {
			continue
		}
		switch {
		case f.val.kind == kindMap:
			return f.val
		case f.val.kind == kindList && len(f.val.items) > 0:
			return f.val.items[len(f.val.items)-1]
		}
		// The decoder accepted the file, so this does not happen; a
		// detached table keeps a surprise from becoming a panic.
		return &node{kind: kindMap, line: k.line}
	}
	t := &node{kind: kindMap, line: k.line}
	table.fields = append(table.fields, field{key: k.name, line: k.line, val: t})
	return t
}

// appendTable adds a table to the array of tables k names in table.
func (c *tomlConverter) appendTable(table *node, k tomlKey) *node {
	t := &node{kind: kindMap, line: k.line}
	for _, f := range table.fields {
		if f.key == k.name && f.val.kind == kindList {
			f.val.items = append(f.val.items, t)
			return t
		}
	}
	list := &node{kind: kindList, line: k.line, items: []*node{t}}
	table.fields = append(table.fields, field{key: k.name, line: k.line, val: list})
	return t
}

func (c *tomlConverter) value(v *unstable.Node, fallback int) *node {
	n := &node{line: c.line(v.Raw, fallback)}
	switch v.Kind {
	case unstable.String:
		n.kind, n.str = kindString, string(v.Data)
	case unstable.Bool:
		n.kind, n.bool = kindBool, string(v.Data) == "true"
	case unstable.Integer:
		// The decoder accepted the integer, so it has TOML's form, which
		// ParseInt's base 0 reads: 0x, 0o, 0b prefixes and underscores.
		i, err := strconv.ParseInt(string(v.Data), 0, 64)
		if err != nil {
			n.kind, n.str = kindOther, "an integer out of range"
			break
		}
		n.kind, n.int = kindInt, i
	case unstable.Float:
		n.kind, n.float = kindFloat, tomlFloat(string(v.Data))
	case unstable.Array:
		n.kind = kindList
		line := n.line
		it := v.Children()
		for it.Next() {
			if it.Node().Kind == unstable.Comment {
				continue
			}
			item := c.value(it.Node(), line)
			line = item.line
			n.items = append(n.items, item)
		}
	case unstable.InlineTable:
		n.kind = kindMap
		it := v.Children()
		for it.Next() {
			if it.Node().Kind == unstable.KeyValue {
				c.keyValue(n, it.Node())
			}
		}
	default:
		n.kind, n.str = kindOther, "a date or time"
	}
	return n
}

// tomlFloat reads a float the decoder accepted.
func tomlFloat(s string) float64 {
	s = strings.ReplaceAll(s, "_", "")
	switch strings.TrimLeft(s, "+-") {
	case "nan":
		return math.NaN()
	case "inf":
		if strings.HasPrefix(s, "-") {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}
