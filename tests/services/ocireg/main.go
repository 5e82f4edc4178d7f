// ocireg serves go-containerregistry's in-memory registry with the OCI 1.1 Referrers API on a
// loopback port, for the scanner-release tests. Debian's docker-registry (distribution 2.8)
// covers the other path: registries without the Referrers API, reached through the tag schema.
//
//	ocireg 127.0.0.1:PORT
package main

import (
	"log"
	"net/http"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: ocireg HOST:PORT")
	}
	server := &http.Server{
		Addr:              os.Args[1],
		Handler:           registry.New(registry.WithReferrersSupport(true)),
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Fatal(server.ListenAndServe())
}
