package logging

import (
	glog "google.golang.org/grpc/grpclog"
)

func logIt(n int) {
	glog.Print("starting ", n) // progress
	glog.Printf("n=%d", n)
	glog.Println( /* inside */ "done")
}

var out = glog.Println

type myLogger struct{ glog.Logger } // want "Logger is deprecated"

func install(l myLogger) {
	glog.SetLogger(l) // want "SetLogger is deprecated"
}
