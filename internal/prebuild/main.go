// Command prebuild builds every pinned tool the tests run (buf, the old
// and current code generators, staticcheck) into the user cache, one after
// another. CI runs it before `go test ./...` so that test packages running
// in parallel find the tools built instead of each building buf at once.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/protolift/protolift/internal/toolbin"
)

func main() {
	ctx := context.Background()
	tools := []struct{ pkg, version string }{
		{toolbin.GoGRPCPkg, toolbin.GoGRPCVersion},
		{toolbin.GoGRPCPkg, toolbin.GoGRPCV100},
		{toolbin.GoGRPCPkg, toolbin.GoGRPCV151},
		{toolbin.LegacyGoPkg, toolbin.LegacyGoV135},
		{toolbin.LegacyGoPkg, toolbin.LegacyGoV143},
		{toolbin.LegacyGoPkg, toolbin.LegacyGoV154},
		{toolbin.GoPkg, toolbin.GoVersion},
		{toolbin.StaticcheckPkg, toolbin.StaticcheckVersion},
	}
	for _, t := range tools {
		path, err := toolbin.Build(ctx, t.pkg, t.version)
		if err != nil {
			fmt.Fprintf(os.Stderr, "prebuild: %v\n", err)
			os.Exit(1)
		}
		fmt.Println(path)
	}
	path, err := toolbin.Buf(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "prebuild: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(path)
}
