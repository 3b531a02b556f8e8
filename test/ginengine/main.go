// ginengine applies a krakend.json's router options to a real gin engine the way lura's
// router/gin NewEngine does (lura's defaults, then each option only when given), and replays case
// lines against it:
//
//	ginengine clientip CONFIG CASES   lines `PEER-IP X-FORWARDED-FOR|- EXPECTED-IP`: the client address
//	                                  gin reports, which KrakenD's per-IP rate limit counts
//	ginengine route CONFIG CASES      lines `METHOD RAW-PATH EXPECTED`: the endpoint pattern a raw path
//	                                  reaches (`/v1/admin/{p2}`), or the status (404, 301)
//
// Exit 0 when every case holds; the last line is "N passed, M failed".
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o /tmp/ginengine ./test/ginengine
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
			DisableRedirectTrailingSlash  *bool    `json:"disable_redirect_trailing_slash"`
			DisableRedirectFixedPath      *bool    `json:"disable_redirect_fixed_path"`
			DisableHandleMethodNotAllowed *bool    `json:"disable_handle_method_not_allowed"`
			RemoveExtraSlash              bool     `json:"remove_extra_slash"`
			ForwardedByClientIP           *bool    `json:"forwarded_by_client_ip"`
			RemoteIPHeaders               []string `json:"remote_ip_headers"`
			TrustedProxies                []string `json:"trusted_proxies"`
		} `json:"router"`
	} `json:"extra_config"`
}

func fail(code int, format string, args ...interface{}) {
	fmt.Printf(format+"\n", args...)
	os.Exit(code)
}

// newEngine is lura's NewEngine as far as routing and client addresses go.
func newEngine(cfg config) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
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
	if r.ForwardedByClientIP != nil {
		engine.ForwardedByClientIP = *r.ForwardedByClientIP
	}
	if len(r.RemoteIPHeaders) > 0 {
		engine.RemoteIPHeaders = r.RemoteIPHeaders
	}
	if len(r.TrustedProxies) > 0 {
		if err := engine.SetTrustedProxies(r.TrustedProxies); err != nil {
			fail(1, "trusted_proxies refused: %v", err)
		}
	}
	engine.RemoveExtraSlash = r.RemoveExtraSlash
	return engine
}

// clientIP answers a case with the address gin reports for the peer and X-Forwarded-For.
func clientIP(engine *gin.Engine) func([]string) string {
	var got string
	engine.GET("/", func(c *gin.Context) { got = c.ClientIP() })
	return func(f []string) string {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = f[0] + ":40000"
		if f[1] != "-" {
			req.Header.Set("X-Forwarded-For", strings.ReplaceAll(f[1], ",", ", "))
		}
		got = ""
		engine.ServeHTTP(httptest.NewRecorder(), req)
		return got
	}
}

// route answers a case with the endpoint pattern the raw path reaches, or the status.
func route(engine *gin.Engine, cfg config) func([]string) string {
	for _, e := range cfg.Endpoints {
		pattern, method := e.Endpoint, e.Method
		if method == "" {
			method = "GET"
		}
		// lura hands gin `{name}` parameters as `:name`.
		ginPath := strings.NewReplacer("{", ":", "}", "").Replace(pattern)
		engine.Handle(method, ginPath, func(c *gin.Context) { c.String(http.StatusOK, pattern) })
	}
	return func(f []string) string {
		rec := httptest.NewRecorder()
		engine.ServeHTTP(rec, httptest.NewRequest(f[0], "http://gateway"+f[1], nil))
		if rec.Code == http.StatusOK {
			return rec.Body.String()
		}
		return strconv.Itoa(rec.Code)
	}
}

func main() {
	if len(os.Args) != 4 {
		fail(2, "usage: ginengine clientip|route CONFIG CASES")
	}
	raw, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(2, "cannot read config: %v", err)
	}
	var cfg config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		fail(2, "bad config: %v", err)
	}
	engine := newEngine(cfg)
	var answer func([]string) string
	switch os.Args[1] {
	case "clientip":
		answer = clientIP(engine)
	case "route":
		answer = route(engine, cfg)
	default:
		fail(2, "unknown mode %q", os.Args[1])
	}
	cases, err := os.Open(os.Args[3])
	if err != nil {
		fail(2, "cannot read cases: %v", err)
	}
	passed, failed := 0, 0
	sc := bufio.NewScanner(cases)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		if got := answer(f); got == f[2] {
			passed++
		} else {
			failed++
			fmt.Printf("FAIL %s -> %s (want %s)\n", strings.Join(f[:2], " "), got, f[2])
		}
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
