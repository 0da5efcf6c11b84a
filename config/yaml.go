package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlTree parses a YAML config into nodes, reporting syntax errors to d. It
// returns nil for an empty document.
func yamlTree(d *decoder, data []byte) *node {
	doc, second, err := parseYAML(data)
	if err != nil {
		line, msg := yamlErrorLine(data, err)
		d.add(line, "", "invalid YAML: %s%s", msg, escapeHint(msg))
		return nil
	}
	if second != nil {
		d.add(second.Line, "", "a second YAML document: a config file holds one")
		return nil
	}
	if doc == nil {
		return nil
	}
	c := yamlConverter{seen: make(map[*yaml.Node]*node)}
	return c.node(doc)
}

// parseYAML decodes data's first document, and its second if there is one.
// A file of nothing but comments has no document and gives nil, nil, nil.
func parseYAML(data []byte) (doc, second *yaml.Node, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first yaml.Node
	if err := dec.Decode(&first); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	if len(first.Content) == 0 {
		return nil, nil, nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err != nil {
		if errors.Is(err, io.EOF) {
			return first.Content[0], nil, nil
		}
		return nil, nil, err
	}
	// The document node's line is that of its "---".
	return first.Content[0], &next, nil
}

var yamlLinePrefix = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlErrorLine returns the line a YAML syntax error is on, and its message.
//
// yaml.v3's own line is not reliable: parser errors give the 0-based line of
// the enclosing collection's start, and errors on line 1 give none. The true
// line is never before the reported one, so this finds the first line from
// there such that the text up to and including that line fails with the same
// message: the line where the document stopped making sense.
func yamlErrorLine(data []byte, err error) (int, string) {
	reported, msg := splitYAMLError(err)
	line := max(reported, 1)
	// The whole file fails this way, so the search ends on its last line
	// at the latest.
	for budget := maxErrorLineBytes; budget > 0; line++ {
		end := lineEnd(data, line)
		if _, _, perr := parseYAML(data[:end]); perr != nil {
			if r, m := splitYAMLError(perr); r == reported && m == msg {
				return line, msg
			}
		}
		if end == len(data) {
			break
		}
		budget -= end
	}
	return reported, msg
}

// maxErrorLineBytes bounds the bytes yamlErrorLine parses, so that a large
// broken file is reported at once, if with yaml.v3's line. A config file of
// a few hundred lines stays well inside it.
const maxErrorLineBytes = 32 << 20

// escapeHint explains an escape error, which is nearly always a Windows
// path in double quotes.
func escapeHint(msg string) string {
	if strings.Contains(msg, "escape") {
		return `; in double quotes \ starts an escape, so write Windows paths in single quotes: 'C:\ProgramData\labelbridge'`
	}
	return ""
}

// lineEnd returns the offset just after line n (1-based) of data, newline
// included, or len(data) when data has fewer lines.
func lineEnd(data []byte, n int) int {
	off := 0
	for range n {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return len(data)
		}
		off += i + 1
	}
	return off
}

// splitYAMLError splits "yaml: line 3: problem" into 3 and "problem". The
// line is 0 when yaml.v3 gave none.
func splitYAMLError(err error) (int, string) {
	s := err.Error()
	if m := yamlLinePrefix.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, strings.TrimSpace(s[len(m[0]):])
	}
	return 0, strings.TrimSpace(strings.TrimPrefix(s, "yaml: "))
}

// yamlConverter turns yaml.Nodes into nodes. It converts each yaml.Node once
// and shares the result between every alias of it, so a file of aliases to
// aliases (the "billion laughs") stays as small as it is written, and an
// anchor that contains an alias to itself does not loop.
type yamlConverter struct {
	seen map[*yaml.Node]*node
}

func (c *yamlConverter) node(y *yaml.Node) *node {
	// An alias always names an anchored node that is not itself an alias;
	// the bound only guards against a malformed tree.
	for i := 0; y.Kind == yaml.AliasNode && y.Alias != nil && i < 8; i++ {
		y = y.Alias
	}
	if n, ok := c.seen[y]; ok {
		return n
	}
	n := &node{line: y.Line}
	c.seen[y] = n
	switch y.Kind {
	case yaml.MappingNode:
		n.kind = kindMap
		c.mapping(n, y)
	case yaml.SequenceNode:
		n.kind = kindList
		for _, item := range y.Content {
			n.items = append(n.items, c.node(item))
		}
	case yaml.ScalarNode:
		c.scalar(n, y)
	default:
		n.kind = kindOther
		n.str = "an unresolved alias"
	}
	return n
}

func (c *yamlConverter) scalar(n *node, y *yaml.Node) {
	var err error
	tag := y.ShortTag()
	switch tag {
	case "!!null":
		n.kind = kindNull
	case "!!str":
		n.kind, n.str = kindString, y.Value
	case "!!int":
		n.kind = kindInt
		err = y.Decode(&n.int)
	case "!!float":
		n.kind = kindFloat
		err = y.Decode(&n.float)
	case "!!bool":
		n.kind = kindBool
		err = y.Decode(&n.bool)
	case "!!timestamp":
		n.kind, n.str = kindOther, "a timestamp"
	case "!!binary":
		n.kind, n.str = kindOther, "binary data"
	default:
		n.kind, n.str = kindOther, fmt.Sprintf("a value tagged %s", tag)
	}
	if err != nil {
		// An explicit tag on a value that does not fit it: !!int two.
		n.kind, n.str = kindOther, fmt.Sprintf("%q, which is not a valid %s", y.Value, strings.TrimPrefix(tag, "!!"))
	}
}

// mapping fills n with y's keys. YAML merge keys ("<<: *defaults") are
// resolved here, as YAML defines them: keys written in the mapping win over
// merged ones, and earlier merged mappings win over later ones.
func (c *yamlConverter) mapping(n *node, y *yaml.Node) {
	first := make(map[string]int) // key -> line it was first written on
	var merged []field
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, c.merge(k, v)...)
			continue
		}
		f := field{key: k.Value, line: k.Line, val: c.node(v)}
		if k.Kind != yaml.ScalarNode {
			f.key = "?"
			f.problem = "a key must be a plain name, not " + c.node(k).describe("a mapping")
		} else if line, dup := first[f.key]; dup {
			f.problem = fmt.Sprintf("set twice: first on line %d", line)
		} else {
			first[f.key] = f.line
		}
		n.fields = append(n.fields, f)
	}
	for _, f := range merged {
		if f.problem != "" {
			n.fields = append(n.fields, f)
			continue
		}
		if _, ok := first[f.key]; !ok {
			first[f.key] = f.line
			n.fields = append(n.fields, f)
		}
	}
}

// merge returns the fields a merge key brings in: those of a mapping, or of
// each mapping of a list in turn.
func (c *yamlConverter) merge(k, v *yaml.Node) []field {
	src := c.node(v)
	maps := []*node{src}
	if src.kind == kindList {
		maps = src.items
	}
	var fields []field
	for _, m := range maps {
		if m.kind != kindMap {
			return []field{{key: "<<", line: k.Line, val: m,
				problem: "a merge takes a mapping or a list of mappings, not " + m.describe("a mapping")}}
		}
		for _, f := range m.fields {
			// A merged mapping's own problems are reported where it is written.
			if f.problem == "" {
				fields = append(fields, f)
			}
		}
	}
	return fields
}
