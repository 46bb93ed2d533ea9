package toolbin

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
)

// ModuleDir returns the module cache directory of modPath at version,
// downloading it through the module proxy if needed. Tests use it to read
// real .proto files of modules the main module does not require.
func ModuleDir(ctx context.Context, modPath, version string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", modPath+"@"+version)
	cmd.Env = toolEnv()
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("toolbin: go mod download %s@%s: %s", modPath, version, info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("toolbin: go mod download %s@%s: %v", modPath, version, err)
	}
	if info.Dir == "" {
		return "", fmt.Errorf("toolbin: go mod download %s@%s printed no directory", modPath, version)
	}
	return info.Dir, nil
}
