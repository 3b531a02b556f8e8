// pathnorm mounts a krakend.json's endpoints on a real gin engine with the config's router options,
// the way lura's router/gin NewEngine applies them (redirect flags, remove_extra_slash), and reports
// which endpoint each raw request path reaches: what decides whether a path trick such as `//` or
// `/./` slips past the endpoint that carries a JWT check. Case lines: `METHOD RAW-PATH EXPECTED`,
// EXPECTED an endpoint pattern (`/v1/admin/{p2}`) or a status (404, 301). Exit 0 when all hold.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o /tmp/pathnorm ./test/pathnorm
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

type config struct {
	Endpoints []struct {
		Endpoint string `json:"endpoint"`
		Method   string `json:"method"`
	} `json:"endpoints"`
	ExtraConfig struct {
		Router struct {
			DisableRedirectTrailingSlash  *bool `json:"disable_redirect_trailing_slash"`
			DisableRedirectFixedPath      *bool `json:"disable_redirect_fixed_path"`
			DisableHandleMethodNotAllowed *bool `json:"disable_handle_method_not_allowed"`
			RemoveExtraSlash              bool  `json:"remove_extra_slash"`
		} `json:"router"`
	} `json:"extra_config"`
}

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Println("cannot read config:", err)
		os.Exit(2)
	}
	var cfg config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		fmt.Println("bad config:", err)
		os.Exit(2)
	}
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	// lura's defaults, then each option only when given.
	engine.RedirectTrailingSlash, engine.RedirectFixedPath, engine.HandleMethodNotAllowed = true, true, true
	r := cfg.ExtraConfig.Router
	if r.DisableRedirectTrailingSlash != nil {
		engine.RedirectTrailingSlash = !*r.DisableRedirectTrailingSlash
	}
	if r.DisableRedirectFixedPath != nil {
		engine.RedirectFixedPath = !*r.DisableRedirectFixedPath
	}
	if r.DisableHandleMethodNotAllowed != nil {
		engine.HandleMethodNotAllowed = !*r.DisableHandleMethodNotAllowed
	}
	engine.RemoveExtraSlash = r.RemoveExtraSlash
	for _, e := range cfg.Endpoints {
		pattern := e.Endpoint
		method := e.Method
		if method == "" {
			method = "GET"
		}
		// gin writes parameters as :name; KrakenD's {name} is translated the same way by lura.
		ginPath := strings.NewReplacer("{", ":", "}", "").Replace(pattern)
		engine.Handle(method, ginPath, func(c *gin.Context) { c.String(http.StatusOK, pattern) })
	}

	passed, failed := 0, 0
	cases, _ := os.Open(os.Args[2])
	sc := bufio.NewScanner(cases)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		req := httptest.NewRequest(f[0], "http://gateway"+f[1], nil)
		rec := httptest.NewRecorder()
		engine.ServeHTTP(rec, req)
		got := strconv.Itoa(rec.Code)
		if rec.Code == http.StatusOK {
			got = rec.Body.String()
		}
		if got == f[2] {
			passed++
		} else {
			failed++
			fmt.Printf("FAIL %s %s -> %s (want %s)\n", f[0], f[1], got, f[2])
		}
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
