package config

// kind is the shape of a value in a config file, whatever its format.
type kind int

const (
	kindNull kind = iota
	kindString
	kindInt
	kindFloat
	kindBool
	kindList
	kindMap
	// kindOther is a value no setting takes (a date, binary data, a custom
	// YAML tag); node.str says what it is, for error messages.
	kindOther
)

// node is one value of a config file and the line it starts on. yamlTree and
// tomlTree both produce nodes, so one set of rules (decoder) checks either
// format and reports the same errors.
type node struct {
	kind   kind
	line   int
	str    string
	int    int64
	float  float64
	bool   bool
	items  []*node // kindList
	fields []field // kindMap, in file order
}

// field is one key of a map.
type field struct {
	key  string
	line int
	val  *node
	// problem, when set, is why the key cannot be used (it repeats an
	// earlier key, or is a YAML merge of something that is not a mapping);
	// the decoder reports it with the key's path instead of reading val.
	problem string
}

// describe names what n is, for "want X, got Y" messages. mapWord is what
// the file's format calls a map.
func (n *node) describe(mapWord string) string {
	switch n.kind {
	case kindNull:
		return "nothing"
	case kindString:
		return "a string"
	case kindInt:
		return "an integer"
	case kindFloat:
		return "a decimal number"
	case kindBool:
		return "true/false"
	case kindList:
		return "a list"
	case kindMap:
		return mapWord
	default:
		return n.str
	}
}
