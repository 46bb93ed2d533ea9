package ptypes_any

import (
	"fmt"

	pt "github.com/golang/protobuf/ptypes"
	anypb "github.com/golang/protobuf/ptypes/any"
)

// namedResult must not overwrite its named result err.
func namedResult(a *anypb.Any) (s string, err error) {
	dyn := new(pt.DynamicAny)
	if err := pt.UnmarshalAny(a, dyn); err != nil {
		return "", nil
	}
	return fmt.Sprint(dyn.Message), err
}

// captured must not overwrite an err a closure reads.
func captured(a *anypb.Any) func() error {
	var err error
	report := func() error { return err }
	d := &pt.DynamicAny{}
	if err := pt.UnmarshalAny(a, d); err != nil {
		return nil
	}
	_ = d.Message
	return report
}

// notAnError has an err that is not an error.
func notAnError(a *anypb.Any) bool {
	err := 0
	_ = err
	d := &pt.DynamicAny{}
	if err := pt.UnmarshalAny(a, d); err != nil {
		return false
	}
	return d.Message != nil
}

// shadowPkg has a local variable called like the package.
func shadowPkg(a *anypb.Any) bool {
	d := &pt.DynamicAny{}
	if err := pt.UnmarshalAny(a, d); err != nil {
		return false
	}
	pt := d.Message == nil
	return pt
}
