package protov1

// CamelCaseHelperDecl is the helper protov1.generator.camelcase writes,
// for the test that runs it next to the real generator.CamelCase.
const CamelCaseHelperDecl = camelCaseHelperDecl
