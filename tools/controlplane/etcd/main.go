// Command etcd is the upstream etcd server. etcd's own go.mod carries replace
// directives, so `go install` cannot build it; this wrapper module can.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
