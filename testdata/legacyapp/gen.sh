#!/bin/sh
# How the committed *.pb.go files were produced. Documentation only: CI does not
# run this, and the output is committed so the module builds without protoc.
#
# Tools used:
#   protoc            libprotoc 3.21.12 (Debian package protobuf-compiler)
#   protoc-gen-go     github.com/golang/protobuf/protoc-gen-go v1.3.5
#                     GOBIN=/tmp/oldgen go install github.com/golang/protobuf/protoc-gen-go@v1.3.5
#
# protoc >= 3.14 ships well-known-type .proto files whose go_package points at
# google.golang.org/protobuf/types/known/*. The M flags below map them back to
# the github.com/golang/protobuf/ptypes/* packages that protoc <= 3.13 named, so
# the output matches what this repository was generated with back then.
set -eu
cd "$(dirname "$0")"

PATH=/tmp/oldgen:$PATH

WKT=Mgoogle/protobuf/any.proto=github.com/golang/protobuf/ptypes/any
WKT=$WKT,Mgoogle/protobuf/duration.proto=github.com/golang/protobuf/ptypes/duration
WKT=$WKT,Mgoogle/protobuf/empty.proto=github.com/golang/protobuf/ptypes/empty
WKT=$WKT,Mgoogle/protobuf/struct.proto=github.com/golang/protobuf/ptypes/struct
WKT=$WKT,Mgoogle/protobuf/timestamp.proto=github.com/golang/protobuf/ptypes/timestamp
WKT=$WKT,Mgoogle/protobuf/wrappers.proto=github.com/golang/protobuf/ptypes/wrappers

for f in proto/orders/v1/orders.proto proto/legacy/v1/legacy.proto; do
	protoc -I . -I /usr/include \
		--go_out="plugins=grpc,paths=source_relative,$WKT:." \
		"$f"
done
