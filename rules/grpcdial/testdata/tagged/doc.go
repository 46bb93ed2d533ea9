// Package tagged has a dial only an integration build compiles.
package tagged
