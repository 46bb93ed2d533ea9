package metadata

import (
	"fmt"

	"google.golang.org/grpc/metadata"
)

func decode(k, v string) (string, error) {
	key, val, err := metadata.DecodeKeyValue(k, v) // decoded
	if err != nil {
		return "", err
	}
	return key + "=" + val, nil
}

func blankErr(md metadata.MD, k, v string) {
	key, val, _ := metadata.DecodeKeyValue(k, v)
	md.Append(key, val)
}

func assign(k, v string) (err error) {
	var key, val string
	key, val, err = metadata.DecodeKeyValue(k /* key */, v)
	fmt.Println(key, val)
	return err
}

func passThrough(k, v string) (string, string, error) {
	return metadata.DecodeKeyValue(k, v)
}

func asArg(k, v string) {
	fmt.Println(metadata.DecodeKeyValue(k, v)) // want "use the key and value directly"
}

var dec = metadata.DecodeKeyValue // want "function value"
