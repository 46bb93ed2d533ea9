package protofile

import (
	"strconv"
	"strings"
)

// tokKind classifies the tokens of the small lexer used to find reserved
// statements. The protocompile parser rejects the very mistakes this stage
// repairs (a statement mixing numbers and names does not parse), so reserved
// statements are located and repaired on tokens before the AST is built.
type tokKind int

const (
	tIdent tokKind = iota
	tInt
	tFloat
	tString
	tPunct
	tComment
	tBad
)

type token struct {
	kind       tokKind
	start, end int // byte offsets into the source
	text       string
	lineCmt    bool // a // comment (it ends at a newline, which it does not include)
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// lex splits src into tokens, comments included, whitespace dropped.
func lex(src []byte) []token {
	var toks []token
	i, n := 0, len(src)
	for i < n {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '/' && i+1 < n && src[i+1] == '/':
			j := i
			for j < n && src[j] != '\n' {
				j++
			}
			toks = append(toks, token{kind: tComment, start: i, end: j, text: string(src[i:j]), lineCmt: true})
			i = j
		case c == '/' && i+1 < n && src[i+1] == '*':
			j := i + 2
			for j+1 < n && !(src[j] == '*' && src[j+1] == '/') {
				j++
			}
			j += 2
			if j > n {
				j = n
			}
			toks = append(toks, token{kind: tComment, start: i, end: j, text: string(src[i:j])})
			i = j
		case isIdentStart(c):
			j := i
			for j < n && isIdentChar(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tIdent, start: i, end: j, text: string(src[i:j])})
			i = j
		case c >= '0' && c <= '9' || (c == '.' && i+1 < n && src[i+1] >= '0' && src[i+1] <= '9'):
			j := i
			kind := tInt
			for j < n && (isIdentChar(src[j]) || src[j] == '.' ||
				((src[j] == '+' || src[j] == '-') && j > i && (src[j-1] == 'e' || src[j-1] == 'E') && !strings.HasPrefix(strings.ToLower(string(src[i:j])), "0x"))) {
				if src[j] == '.' || ((src[j] == 'e' || src[j] == 'E') && !strings.HasPrefix(strings.ToLower(string(src[i:j])), "0x")) {
					kind = tFloat
				}
				j++
			}
			toks = append(toks, token{kind: kind, start: i, end: j, text: string(src[i:j])})
			i = j
		case c == '"' || c == '\'':
			j := i + 1
			for j < n && src[j] != c && src[j] != '\n' {
				if src[j] == '\\' && j+1 < n {
					j++
				}
				j++
			}
			kind := tString
			if j >= n || src[j] != c {
				kind = tBad
			} else {
				j++
			}
			toks = append(toks, token{kind: kind, start: i, end: j, text: string(src[i:j])})
			i = j
		default:
			toks = append(toks, token{kind: tPunct, start: i, end: i + 1, text: string(src[i : i+1])})
			i++
		}
	}
	return toks
}

// unquote decodes one protobuf string literal. Protobuf escapes are a subset
// of Go's apart from single-quoted strings and \? and octal/hex of any
// length, which do not occur in field names; anything Go cannot decode is
// reported as not a valid name by the caller.
func unquote(lit string) (string, bool) {
	if len(lit) < 2 {
		return "", false
	}
	if lit[0] == '\'' {
		body := lit[1 : len(lit)-1]
		body = strings.ReplaceAll(body, `\'`, `'`)
		body = strings.ReplaceAll(body, `"`, `\"`)
		lit = `"` + body + `"`
	}
	s, err := strconv.Unquote(lit)
	return s, err == nil
}

// isIdent reports whether s is a protobuf identifier (letters, digits, _;
// not starting with a digit).
func isIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

// parseInt reads a protobuf integer literal (decimal, octal with a leading
// 0, or hex).
func parseInt(s string) (uint64, bool) {
	base := 10
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" || strings.Contains(s, "_") {
		return 0, false
	}
	v, err := strconv.ParseUint(s, base, 64)
	return v, err == nil
}
