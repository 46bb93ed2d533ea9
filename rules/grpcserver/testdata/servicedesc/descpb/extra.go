package descpb

import "google.golang.org/grpc"

// ServiceName is read by hand-written code in the generated package.
var ServiceName = _Greeter_serviceDesc.ServiceName

// Methods lists the descriptor's methods.
func Methods() []grpc.MethodDesc {
	return (&_Greeter_serviceDesc /* the descriptor */).Methods
}

// registrar is the old Register signature.
var registrar func(*grpc.Server, GreeterServer) = RegisterGreeterServer

// _Local_serviceDesc is declared here, not generated: left alone.
var _Local_serviceDesc = grpc.ServiceDesc{}

var _ = _Local_serviceDesc
