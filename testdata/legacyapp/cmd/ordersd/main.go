// Command ordersd serves the orders service.
package main

import (
	"flag"
	"net"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/grpclog"

	"example.com/legacyapp/internal/server"
	orderspb "example.com/legacyapp/proto/orders/v1"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7070", "listen address")
	flag.Parse()
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		grpclog.Println("listen:", err)
		os.Exit(1)
	}
	s := grpc.NewServer(grpc.MaxMsgSize(8 << 20))
	orderspb.RegisterOrderServiceServer(s, server.New())
	grpclog.Printf("ordersd listening on %s", lis.Addr())
	if err := s.Serve(lis); err != nil {
		grpclog.Println("serve:", err)
		os.Exit(1)
	}
}
