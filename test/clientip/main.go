// clientip applies a krakend.json's router options to a real gin engine the way lura's NewEngine
// does, then prints the client address gin reports (what KrakenD's per-IP rate limit counts) for
// each case line `PEER_IP X-FORWARDED-FOR|- EXPECTED_IP`. Exit 0 when every case holds.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o /tmp/clientip ./test/clientip
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/gin-gonic/gin"
)

type routerOptions struct {
	ForwardedByClientIP *bool    `json:"forwarded_by_client_ip"`
	RemoteIPHeaders     []string `json:"remote_ip_headers"`
	TrustedProxies      []string `json:"trusted_proxies"`
}

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Println("cannot read config:", err)
		os.Exit(2)
	}
	var cfg struct {
		ExtraConfig struct {
			Router routerOptions `json:"router"`
		} `json:"extra_config"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		fmt.Println("bad config:", err)
		os.Exit(2)
	}
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	opts := cfg.ExtraConfig.Router
	// As lura's router/gin NewEngine: each option only when given.
	if opts.ForwardedByClientIP != nil {
		engine.ForwardedByClientIP = *opts.ForwardedByClientIP
	}
	if len(opts.RemoteIPHeaders) > 0 {
		engine.RemoteIPHeaders = opts.RemoteIPHeaders
	}
	if len(opts.TrustedProxies) > 0 {
		if err := engine.SetTrustedProxies(opts.TrustedProxies); err != nil {
			fmt.Println("trusted_proxies refused:", err)
			os.Exit(1)
		}
	}
	var got string
	engine.GET("/", func(c *gin.Context) { got = c.ClientIP() })

	passed, failed := 0, 0
	cases, _ := os.Open(os.Args[2])
	sc := bufio.NewScanner(cases)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = f[0] + ":40000"
		if f[1] != "-" {
			req.Header.Set("X-Forwarded-For", strings.ReplaceAll(f[1], ",", ", "))
		}
		got = ""
		engine.ServeHTTP(httptest.NewRecorder(), req)
		if got == f[2] {
			passed++
		} else {
			failed++
			fmt.Printf("FAIL peer %s XFF %s -> %s (want %s)\n", f[0], f[1], got, f[2])
		}
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
