// gourl reads URLs the way Go's net/url does (KrakenD fetches backends and JSON Web Key Sets with
// Go's net/http, which parses them with url.Parse), so tests can compare a URL grammar with Go:
//
//	gourl FILE   FILE holds one JSON string (a URL) a line; gourl prints one JSON object a line:
//	             {"ok":true,"host":Hostname(),"port":Port(),"path":EscapedPath(),"query":RawQuery}
//	             or {"ok":false,"error":"..."}
//
//	cd test/gourl && GO111MODULE=off go build -o /tmp/gourl .
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
)

type reading struct {
	OK    bool   `json:"ok"`
	Host  string `json:"host,omitempty"`
	Port  string `json:"port,omitempty"`
	Path  string `json:"path,omitempty"`
	Query string `json:"query,omitempty"`
	Error string `json:"error,omitempty"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gourl FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for scanner.Scan() {
		var text string
		if err := json.Unmarshal(scanner.Bytes(), &text); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		u, err := url.Parse(text)
		if err != nil {
			out.Encode(reading{Error: err.Error()})
			continue
		}
		out.Encode(reading{OK: true, Host: u.Hostname(), Port: u.Port(), Path: u.EscapedPath(), Query: u.RawQuery})
	}
}
