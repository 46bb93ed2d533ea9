package rule

// Helper is a package-level function a rewrite calls instead of
// repeating the same statements at every call site (a blocking dial's
// wait, say). The engine writes each helper once per package, into a
// file of its own (protolift_helpers.go, or a _test.go one when only
// tests need it), and reuses one a previous run wrote.
type Helper struct {
	// Name is the function's name; the engine picks another one when the
	// package already declares Name for something else.
	Name string
	// Decl is the function declaration, doc comment included, spelled
	// with Name and with the default names of Imports.
	Decl string
	// Imports are the import paths Decl uses.
	Imports []string
	// Requires maps module paths to the minimum version Decl needs.
	Requires map[string]string
}

// HelperSink is the optional part of a Sink that places helpers.
type HelperSink interface {
	// Helper makes h available to the file being rewritten and returns
	// the name to call it by, or "" when it cannot be placed.
	Helper(h *Helper) string
}

// Helper makes h available to this file and returns the name to call it
// by, or "" when the engine cannot place helpers (the caller then falls
// back to an inline form or reports).
func (p *Pass) Helper(h *Helper) string {
	if hs, ok := p.Sink.(HelperSink); ok {
		return hs.Helper(h)
	}
	return ""
}
