package options

import (
	"time"

	"google.golang.org/grpc"
)

// grpc-web's proxy used the old default as a flag's default value.
var backendMaxDelay = durationFlag("backend_backoff_max_delay",
	grpc.DefaultBackoffConfig.MaxDelay, // the library default
	"Maximum delay when backing off after failed connection attempts.")

func durationFlag(name string, value time.Duration, usage string) *time.Duration { return &value }

func tune(d time.Duration) *time.Duration {
	if grpc.DefaultBackoffConfig.MaxDelay < d {
		d = grpc.DefaultBackoffConfig.MaxDelay
	}
	grpc.DefaultBackoffConfig.MaxDelay = d     // want "DefaultBackoffConfig is deprecated"
	grpc.DefaultBackoffConfig.MaxDelay++       // want "DefaultBackoffConfig is deprecated"
	return &grpc.DefaultBackoffConfig.MaxDelay // want "DefaultBackoffConfig is deprecated"
}
