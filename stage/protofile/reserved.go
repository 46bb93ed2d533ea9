package protofile

import (
	"fmt"
	"math"
	"strings"

	"github.com/protolift/protolift/internal/change"
)

const (
	maxFieldNumber = 536870911
	ruleReserved   = "proto.reserved"
)

type elemKind int

const (
	eNumber elemKind = iota
	eName
)

// elem is one comma-separated item of a reserved statement.
type elem struct {
	kind        elemKind
	first, last token // first and last token (comments excluded)
	toks        []token
	lo, hi      int64
	hiMax       bool // written as "N to max"
	name        string
	quoted      bool
	skip        bool // left exactly as written (reported, not fixed)
	deleted     bool
	moved       bool
	text        string // replacement text for the element when changed
	changed     bool
	ruleMsg     string
}

type resStmt struct {
	kw, semi token
	elems    []*elem
	allToks  []token // keyword to semicolon, comments included
}

type body struct {
	kind  string // "message" or "enum"
	name  string
	stmts []*resStmt
}

// fileSyntaxEdition returns "proto2", "proto3" or "editions", and the
// edition of an editions file.
func fileSyntaxEdition(toks []token) (string, string) {
	// Only the first statement can declare the syntax or edition.
	sig := significant(toks)
	if len(sig) < 3 || sig[0].kind != tIdent || (sig[0].text != "syntax" && sig[0].text != "edition") || sig[1].text != "=" || sig[2].kind != tString {
		return "proto2", ""
	}
	v, _ := unquote(sig[2].text)
	if sig[0].text == "edition" {
		return "editions", v
	}
	if v == "proto3" {
		return "proto3", ""
	}
	return "proto2", ""
}

func significant(toks []token) []token {
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		if t.kind != tComment {
			out = append(out, t)
		}
	}
	return out
}

// findBodies walks the tokens tracking message/enum nesting and collects the
// reserved statements of each body. Option values in braces are skipped.
func findBodies(toks []token) []*body {
	type frame struct{ b *body }
	stack := []frame{{}}
	var bodies []*body
	stmt := []token{} // significant tokens of the current statement so far
	bracket := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tComment {
			continue
		}
		if t.kind == tPunct {
			switch t.text {
			case "[":
				bracket++
			case "]":
				if bracket > 0 {
					bracket--
				}
			case "{":
				if bracket > 0 || startsWith(stmt, "option") || (len(stmt) > 0 && stmt[len(stmt)-1].text == ":") {
					i = skipBraces(toks, i)
					continue
				}
				var b *body
				switch {
				case startsWith(stmt, "message") && len(stmt) > 1:
					b = &body{kind: "message", name: stmt[1].text}
				case startsWith(stmt, "enum") && len(stmt) > 1:
					b = &body{kind: "enum", name: stmt[1].text}
				default:
					for k := 0; k+1 < len(stmt); k++ {
						if stmt[k].text == "group" && stmt[k].kind == tIdent {
							b = &body{kind: "message", name: stmt[k+1].text}
						}
					}
				}
				if b != nil {
					bodies = append(bodies, b)
				}
				stack = append(stack, frame{b})
				stmt = stmt[:0]
				continue
			case "}":
				if len(stack) > 1 {
					stack = stack[:len(stack)-1]
				}
				stmt = stmt[:0]
				bracket = 0
				continue
			case ";":
				if bracket == 0 {
					stmt = stmt[:0]
					continue
				}
			}
		}
		if len(stmt) == 0 && t.kind == tIdent && t.text == "reserved" {
			if b := stack[len(stack)-1].b; b != nil {
				if rs, end := parseReserved(toks, i, b.kind); rs != nil {
					b.stmts = append(b.stmts, rs)
					i = end
					continue
				}
			}
		}
		stmt = append(stmt, t)
	}
	return bodies
}

func startsWith(stmt []token, kw string) bool {
	return len(stmt) > 0 && stmt[0].kind == tIdent && stmt[0].text == kw
}

func skipBraces(toks []token, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		if toks[i].kind != tPunct {
			continue
		}
		switch toks[i].text {
		case "{":
			depth++
		case "}":
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// parseReserved reads the statement starting at toks[i] ("reserved"). It
// returns nil when the statement is not something this stage understands
// (the parser then reports it).
func parseReserved(toks []token, i int, kind string) (*resStmt, int) {
	rs := &resStmt{kw: toks[i]}
	var cur *elem
	j := i + 1
	for ; j < len(toks); j++ {
		t := toks[j]
		if t.kind == tComment {
			continue
		}
		if t.kind == tPunct && (t.text == "," || t.text == ";") {
			if cur == nil {
				return nil, i
			}
			if !finishElem(cur, kind) {
				return nil, i
			}
			rs.elems = append(rs.elems, cur)
			cur = nil
			if t.text == ";" {
				rs.semi = t
				rs.allToks = toks[i : j+1]
				return rs, j
			}
			continue
		}
		if t.kind == tPunct && (t.text == "{" || t.text == "}") {
			return nil, i
		}
		if cur == nil {
			cur = &elem{first: t}
		}
		cur.toks = append(cur.toks, t)
		cur.last = t
	}
	return nil, i
}

// finishElem classifies an element from its tokens.
func finishElem(e *elem, kind string) bool {
	ts := e.toks
	if len(ts) == 1 && ts[0].kind == tIdent {
		e.kind, e.name = eName, ts[0].text
		return true
	}
	allStrings := true
	for _, t := range ts {
		if t.kind != tString {
			allStrings = false
		}
	}
	if allStrings {
		var sb strings.Builder
		for _, t := range ts {
			s, ok := unquote(t.text)
			if !ok {
				return false
			}
			sb.WriteString(s)
		}
		e.kind, e.name, e.quoted = eName, sb.String(), true
		return true
	}
	e.kind = eNumber
	k := 0
	num := func() (int64, bool) {
		neg := false
		if k < len(ts) && ts[k].text == "-" {
			neg = true
			k++
		}
		if k >= len(ts) || ts[k].kind != tInt {
			return 0, false
		}
		v, ok := parseInt(ts[k].text)
		k++
		if !ok || v > math.MaxInt64/2 {
			return 0, false
		}
		if neg {
			return -int64(v), true
		}
		return int64(v), true
	}
	lo, ok := num()
	if !ok {
		return false
	}
	e.lo, e.hi = lo, lo
	if k == len(ts) {
		return true
	}
	if ts[k].text != "to" {
		return false
	}
	k++
	if k < len(ts) && ts[k].text == "max" && k == len(ts)-1 {
		e.hiMax = true
		e.hi = maxFieldNumber
		if kind == "enum" {
			e.hi = math.MaxInt32
		}
		return true
	}
	hi, ok := num()
	if !ok || k != len(ts) {
		return false
	}
	e.hi = hi
	return true
}

func (e *elem) rangeText() string {
	switch {
	case e.hiMax:
		return fmt.Sprintf("%d to max", e.lo)
	case e.lo == e.hi:
		return fmt.Sprintf("%d", e.lo)
	}
	return fmt.Sprintf("%d to %d", e.lo, e.hi)
}

// finalText is how the element reads after its fixes.
func (e *elem) finalText(src []byte) string {
	if e.changed {
		return e.text
	}
	return string(src[e.first.start:e.last.end])
}

type diagFn func(start, end int, risk change.Risk, msg, suggestion string)

// fixReserved computes the splices that repair the reserved statements of
// every message and enum, and reports what it will not repair.
func fixReserved(src []byte, toks []token, syntax string, report diagFn) []splice {
	var out []splice
	nl := lineEnding(src)
	for _, b := range findBodies(toks) {
		out = append(out, fixBody(src, toks, syntax, b, nl, report)...)
	}
	return out
}

func fixBody(src []byte, toks []token, syntax string, b *body, nl string, report diagFn) []splice {
	what := "Field name"
	if b.kind == "enum" {
		what = "Enum value"
	}
	// Per-element checks and name spelling.
	for _, st := range b.stmts {
		for _, e := range st.elems {
			if e.kind == eName {
				checkName(e, syntax, b, report)
				continue
			}
			checkRange(e, b, report)
		}
	}
	// Names reserved twice: the first stays.
	seen := map[string]bool{}
	for _, st := range b.stmts {
		for _, e := range st.elems {
			if e.kind != eName || e.skip {
				continue
			}
			if seen[e.name] {
				e.deleted = true
				e.ruleMsg = fmt.Sprintf("dropped duplicate (%s %q is reserved multiple times.)", what, e.name)
				continue
			}
			seen[e.name] = true
		}
	}
	mergeRanges(b)
	var out []splice
	for _, st := range b.stmts {
		out = append(out, rewriteStmt(src, toks, st, b, nl)...)
	}
	return out
}

func checkName(e *elem, syntax string, b *body, report diagFn) {
	start, end := e.first.start, e.last.end
	what := "Field name"
	if b.kind == "enum" {
		what = "Enum value"
	}
	editions := syntax == "editions"
	switch {
	case !isIdent(e.name):
		e.skip = true
		msg := fmt.Sprintf("Reserved name %q is not a valid identifier.", e.name)
		if editions {
			msg = "Reserved names must be identifiers in editions, not string literals. " + msg
		}
		report(start, end, change.Manual, fmt.Sprintf("%s (in %s %s); no %s can have this name, so it reserves nothing", msg, b.kind, b.name, strings.ToLower(what)),
			"remove the name, or correct it to the identifier that was meant")
	case !e.quoted && !editions && e.name == "max":
		e.skip = true
		report(start, end, change.Manual,
			fmt.Sprintf("Reserved names must be string literals. (Only editions supports identifiers.) `reserved max;` in %s %s is ambiguous: it is neither a number range nor a quoted name", b.kind, b.name),
			`write "reserved \"max\";" to reserve the name, or "reserved N to max;" to reserve numbers`)
	case !e.quoted && editions && e.name == "max":
		report(start, end, change.Review,
			fmt.Sprintf("in editions `reserved max;` in %s %s reserves the %s \"max\", not numbers up to max", b.kind, b.name, strings.ToLower(what)),
			`write "reserved N to max;" if numbers were meant`)
	case e.quoted && editions:
		e.changed, e.text = true, e.name
		e.ruleMsg = "Reserved names must be identifiers in editions, not string literals."
	case !e.quoted && !editions:
		e.changed, e.text = true, `"`+e.name+`"`
		e.ruleMsg = "Reserved names must be string literals. (Only editions supports identifiers.)"
	}
}

func checkRange(e *elem, b *body, report diagFn) {
	start, end := e.first.start, e.last.end
	where := fmt.Sprintf(" (in %s %s)", b.kind, b.name)
	if b.kind == "message" {
		switch {
		case e.lo < 1:
			e.skip = true
			report(start, end, change.Manual, "Reserved numbers must be positive integers."+where, "reserve numbers from 1 up")
			return
		case !e.hiMax && e.hi > maxFieldNumber:
			e.skip = true
			report(start, end, change.Manual, fmt.Sprintf("Reserved number %d is out of range: field numbers end at 536870911%s.", e.hi, where), "use \"to max\" or a number up to 536870911")
			return
		}
	} else if e.lo < math.MinInt32 || e.hi > math.MaxInt32 {
		e.skip = true
		report(start, end, change.Manual, "Enum value numbers must be in the int32 range"+where+".", "use numbers that fit in int32")
		return
	}
	if e.hi < e.lo {
		e.skip = true
		report(start, end, change.Manual, "Reserved range end number must be greater than start number."+where, "swap the two numbers if that range was meant")
	}
}

// mergeRanges finds groups of overlapping ranges; the first range of each
// group (in source order) becomes the union and the others are dropped.
func mergeRanges(b *body) {
	var rs []*elem
	for _, st := range b.stmts {
		for _, e := range st.elems {
			if e.kind == eNumber && !e.skip {
				rs = append(rs, e)
			}
		}
	}
	parent := make([]int, len(rs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			i = parent[i]
		}
		return i
	}
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			if rs[i].lo <= rs[j].hi && rs[j].lo <= rs[i].hi {
				a, c := find(i), find(j)
				if a < c {
					parent[c] = a
				} else if c < a {
					parent[a] = c
				}
			}
		}
	}
	for i, r := range rs {
		root := find(i)
		if root == i {
			continue
		}
		head := rs[root]
		lo, hi := min(head.lo, r.lo), max(head.hi, r.hi)
		hiMax := (head.hiMax && head.hi == hi) || (r.hiMax && r.hi == hi)
		r.deleted = true
		r.ruleMsg = fmt.Sprintf("merged: Reserved range %s overlaps with already-defined range %s.", spell(r.lo, r.hi), spell(head.lo, head.hi))
		if lo != head.lo || hi != head.hi || hiMax != head.hiMax {
			head.lo, head.hi, head.hiMax = lo, hi, hiMax
			head.changed = true
			head.ruleMsg = "merged overlapping reserved ranges into one"
		}
	}
	for _, r := range rs {
		if r.changed {
			r.text = r.rangeText()
		}
	}
}

func spell(lo, hi int64) string { return fmt.Sprintf("%d to %d", lo, hi) }

// keepComments is the replacement for a deleted span: the comments inside
// it survive, everything else goes.
func keepComments(toks []token, start, end int, indent, nl string) string {
	var sb strings.Builder
	for _, t := range toks {
		if t.kind != tComment || t.start < start || t.end > end {
			continue
		}
		sb.WriteString(" ")
		sb.WriteString(t.text)
		if t.lineCmt {
			sb.WriteString(nl + indent)
		}
	}
	return sb.String()
}

// rewriteStmt turns the element decisions of one statement into splices.
func rewriteStmt(src []byte, toks []token, st *resStmt, b *body, nl string) []splice {
	indent := indentAt(src, st.kw.start)
	// A statement that mixes numbers and names keeps the kind of its first
	// surviving element; the others move to a new statement after it.
	var firstKind elemKind = -1
	var moved []*elem
	for _, e := range st.elems {
		if e.deleted {
			continue
		}
		if firstKind == -1 {
			firstKind = e.kind
		} else if e.kind != firstKind {
			e.moved = true
			moved = append(moved, e)
		}
	}
	var out []splice
	gone := func(e *elem) bool { return e.deleted || e.moved }
	allGone := true
	for _, e := range st.elems {
		if !gone(e) {
			allGone = false
		}
	}
	if allGone {
		start, end := st.kw.start, st.semi.end
		repl := keepComments(toks, start, end, indent, nl)
		if repl == "" {
			ls := start - len(indent)
			le := end
			for le < len(src) && (src[le] == ' ' || src[le] == '\t' || src[le] == '\r') {
				le++
			}
			switch {
			case ls >= 0 && string(src[ls:start]) == indent && (le == len(src) || src[le] == '\n'):
				start = ls
				if le < len(src) {
					le++
				}
				end = le
			case ls >= 0 && string(src[ls:start]) == indent && le+1 < len(src) && src[le] == '/' && (src[le+1] == '/' || src[le+1] == '*'):
				// A trailing comment stays, on its own line at the
				// statement's indentation.
				end = le
			}
		} else {
			repl = strings.TrimPrefix(repl, " ")
		}
		out = append(out, splice{start: start, end: end, text: repl, rule: ruleReserved, risk: change.Safe, msg: stmtMsg(st)})
		return out
	}
	// Fixes of surviving elements.
	for _, e := range st.elems {
		if !gone(e) && e.changed {
			out = append(out, splice{start: e.first.start, end: e.last.end, text: keepCommentsAround(toks, e, e.text, indent, nl),
				rule: ruleReserved, risk: change.Safe, msg: e.ruleMsg})
		}
	}
	// Deletions, one splice per run of consecutive gone elements.
	n := len(st.elems)
	for a := 0; a < n; {
		if !gone(st.elems[a]) {
			a++
			continue
		}
		c := a
		for c+1 < n && gone(st.elems[c+1]) {
			c++
		}
		var start, end int
		if a > 0 {
			start, end = st.elems[a-1].last.end, st.elems[c].last.end
		} else {
			start, end = st.elems[0].first.start, st.elems[c+1].first.start
		}
		var msgs []string
		for k := a; k <= c; k++ {
			if st.elems[k].moved {
				msgs = append(msgs, "Reserved statements cannot mix numbers and names; moved to its own statement")
			} else {
				msgs = append(msgs, st.elems[k].ruleMsg)
			}
		}
		repl := keepComments(toks, start, end, indent, nl)
		if a == 0 && repl != "" {
			repl = strings.TrimPrefix(repl, " ") + " "
		}
		out = append(out, splice{start: start, end: end, text: repl, rule: ruleReserved, risk: change.Safe, msg: strings.Join(msgs, "; ")})
		a = c + 1
	}
	if len(moved) > 0 {
		var parts []string
		for _, e := range moved {
			parts = append(parts, e.finalText(src))
		}
		at := st.semi.end
		line := lineOf(src, st.semi.start)
		for _, t := range toks {
			if t.kind == tComment && t.start >= at && lineOf(src, t.start) == line {
				at = t.end
			}
			if t.start > at && t.kind != tComment {
				break
			}
		}
		text := nl + indent + "reserved " + strings.Join(parts, ", ") + ";"
		out = append(out, splice{start: at, end: at, text: text, rule: ruleReserved, risk: change.Safe,
			msg: "split a reserved statement mixing numbers and names (parsers reject the mix)"})
	}
	return out
}

// keepCommentsAround keeps comments that sit between the tokens of a
// replaced element ("2 /* x */ to 5").
func keepCommentsAround(toks []token, e *elem, text, indent, nl string) string {
	c := keepComments(toks, e.first.start, e.last.end, indent, nl)
	if c == "" {
		return text
	}
	return text + c
}

func stmtMsg(st *resStmt) string {
	var msgs []string
	for _, e := range st.elems {
		if e.ruleMsg != "" {
			msgs = append(msgs, e.ruleMsg)
		}
	}
	return "removed a reserved statement whose items are all reserved elsewhere: " + strings.Join(msgs, "; ")
}

func lineOf(src []byte, off int) int {
	return strings.Count(string(src[:off]), "\n")
}
