package wire

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// DecodePullResponse decodes a pull page. A page as the team server writes
// it (the keys in its order, no spaces, plain strings) is read by a scanner
// that steps over each entity's JSON in one tight pass; encoding/json reads
// every byte twice with its general state machine, and a bootstrap moves a
// million entities. Anything else — another key order, spaces, escapes, a
// page this build does not expect — is decoded by encoding/json, which also
// words the error of a malformed page.
//
// The entities' JSON is checked for balanced brackets and well-formed
// strings, not for the spelling of every number and literal: the replica
// decodes each entity before it keeps it and refuses one that is not JSON.
func DecodePullResponse(b []byte) (PullResponse, error) {
	if p, ok := decodeCanonicalPull(b); ok {
		return p, nil
	}
	var p PullResponse
	err := json.Unmarshal(b, &p)
	return p, err
}

// pullScanner reads a canonical page; any surprise makes ok false.
type pullScanner struct {
	b  []byte
	i  int
	ok bool
}

func (s *pullScanner) lit(l string) {
	if s.ok && bytes.HasPrefix(s.b[s.i:], []byte(l)) {
		s.i += len(l)
		return
	}
	s.ok = false
}

func (s *pullScanner) peek(c byte) bool { return s.ok && s.i < len(s.b) && s.b[s.i] == c }

// int reads a decimal integer (optionally negative).
func (s *pullScanner) int() int64 {
	if !s.ok {
		return 0
	}
	j := s.i
	if j < len(s.b) && s.b[j] == '-' {
		j++
	}
	digits := j
	for j < len(s.b) && s.b[j] >= '0' && s.b[j] <= '9' {
		j++
	}
	if j-digits > 1 && s.b[digits] == '0' { // JSON has no leading zeros
		s.ok = false
		return 0
	}
	n, err := strconv.ParseInt(string(s.b[s.i:j]), 10, 64)
	if err != nil {
		s.ok = false
		return 0
	}
	s.i = j
	return n
}

// str reads a JSON string without escapes, control characters or invalid
// UTF-8 (which encoding/json would replace).
func (s *pullScanner) str() string {
	if !s.peek('"') {
		s.ok = false
		return ""
	}
	ascii := true
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			v := s.b[s.i+1 : j]
			if !ascii && !utf8.Valid(v) {
				s.ok = false
				return ""
			}
			s.i = j + 1
			return string(v)
		case c >= 0x80:
			ascii = false
		case c == '\\' || c < 0x20:
			s.ok = false
			return ""
		}
	}
	s.ok = false
	return ""
}

// value steps over one JSON value and returns its bytes. Objects and
// arrays must close in order (up to 64 deep; deeper gives up).
func (s *pullScanner) value() []byte {
	if !s.ok {
		return nil
	}
	var open [64]byte
	start, depth := s.i, 0
	for j := s.i; j < len(s.b); j++ {
		switch c := s.b[j]; c {
		case '"':
			end, ok := stringEnd(s.b, j)
			if !ok {
				s.ok = false
				return nil
			}
			j = end
			if depth == 0 {
				s.i = j + 1
				return s.b[start:s.i]
			}
		case '{', '[':
			if depth == len(open) {
				s.ok = false
				return nil
			}
			open[depth] = c
			depth++
		case '}', ']':
			if depth == 0 { // the end of the enclosing object: a scalar ended
				if j == start {
					s.ok = false
					return nil
				}
				s.i = j
				return s.b[start:j]
			}
			depth--
			if open[depth] != c-2 { // '{'+2 == '}', '['+2 == ']'
				s.ok = false
				return nil
			}
			if depth == 0 {
				s.i = j + 1
				return s.b[start:s.i]
			}
		case ',':
			if depth == 0 {
				if j == start {
					s.ok = false
					return nil
				}
				s.i = j
				return s.b[start:j]
			}
		case ' ', '\t', '\n', '\r':
			s.ok = false // not the server's layout
			return nil
		}
	}
	s.ok = false
	return nil
}

// stringEnd returns the index of the quote closing the string that opens at
// b[i], checking its escapes and that it holds no control character.
func stringEnd(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		c := b[j]
		if c == '"' {
			return j, true
		}
		if c < 0x20 {
			return 0, false
		}
		if c == '\\' {
			j++
			if j >= len(b) {
				return 0, false
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) {
					return 0, false
				}
				for _, h := range b[j+1 : j+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return 0, false
					}
				}
				j += 4
			default:
				return 0, false
			}
		}
	}
	return 0, false
}

func decodeCanonicalPull(b []byte) (PullResponse, bool) {
	s := &pullScanner{b: bytes.TrimRight(b, "\n"), ok: true}
	var p PullResponse
	s.lit(`{"changes":[`)
	if !s.peek(']') {
		p.Changes = make([]Change, 0, bytes.Count(b, []byte(`{"seq":`)))
	} else {
		p.Changes = []Change{}
	}
	for s.ok && !s.peek(']') {
		if len(p.Changes) > 0 {
			s.lit(",")
		}
		var c Change
		s.lit(`{"seq":`)
		c.Seq = s.int()
		s.lit(`,"kind":`)
		c.Kind = Kind(s.str())
		s.lit(`,"id":`)
		c.ID = s.str()
		s.lit(`,"op":`)
		c.Op = Op(s.str())
		if s.peek(',') {
			s.lit(`,"data":`)
			if s.peek('n') { // null is what encoding/json leaves out
				s.ok = false
			}
			c.Data = s.value()
		}
		s.lit("}")
		p.Changes = append(p.Changes, c)
	}
	s.lit(`],"next":`)
	p.Next = s.int()
	s.lit(`,"more":`)
	switch {
	case s.peek('t'):
		s.lit("true")
		p.More = true
	default:
		s.lit("false")
	}
	s.lit(`,"head":`)
	p.Head = s.int()
	s.lit("}")
	if !s.ok || s.i != len(s.b) {
		return PullResponse{}, false
	}
	return p, true
}
