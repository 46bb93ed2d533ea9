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

// The error is always nil: the live branch stays, with k and v, and the
// dead one goes (as grpc-gateway's humans wrote it: callback(k, v)).
func inIf(k, v string, callback func(string, string)) error {
	// Decode the pair.
	if decodedKey, decodedVal, err := metadata.DecodeKeyValue(k, v); err == nil {
		callback(decodedKey, decodedVal)
	} else {
		return err
	}
	return nil
}

// The live branch declares a name: it stays a block.
func inIfDeclares(k, v string) {
	if key, val, err := metadata.DecodeKeyValue(k, v); err == nil {
		s := key + val
		fmt.Println(s)
	}
}

// err != nil guards dead code only: the statement goes.
func deadOnly(k, v string) {
	if _, _, err := metadata.DecodeKeyValue(k, v); err != nil {
		panic(err)
	}
}

// The branch assigns the argument: the general form stays.
func reassigned(k, v string) {
	if key, val, err := metadata.DecodeKeyValue(k, v); err == nil {
		k = "x"
		fmt.Println(key, val, k)
	}
}

// Only the error is kept: the statement still declares it.
func onlyErr(k, v string) error {
	_, _, err := metadata.DecodeKeyValue(k, v)
	return err
}
