package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/syncwatch/syncwatch/internal/secret"
)

// defaultHealthURL is the daemon's /healthz on its default listen address.
const defaultHealthURL = "http://127.0.0.1:9849/healthz"

// errUnhealthy is healthcheck's failure (exit 1); its reason was printed.
var errUnhealthy = errors.New("unhealthy")

func runHealthcheck(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "healthcheck", "[--url URL] [--timeout D] [--ca-file FILE] [--username U --password-file FILE]",
		"Ask a running daemon whether it is alive: GET its /healthz and print one line saying why it is\n"+
			"healthy or not. For Docker's HEALTHCHECK (the image has no shell or curl):\n\n"+
			"  HEALTHCHECK CMD [\"/syncwatch\", \"healthcheck\"]\n\n"+
			"Only the answer 200 is healthy. With TLS in the web configuration, give the https URL and the CA\n"+
			"that signed the daemon's certificate (--ca-file); with basic auth, the user and a file holding\n"+
			"the password (never the password itself on the command line).\n\n"+
			"Exit codes: 0 healthy, 1 not healthy (no answer, timeout, another status), 2 usage.")
	rawURL := fs.String("url", defaultHealthURL, "the daemon's health `URL`")
	timeout := 3 * time.Second
	fs.Var((*durationFlag)(&timeout), "timeout", "give up after this long")
	caFile := fs.String("ca-file", "", "PEM `file` of the CA that signed the daemon's TLS certificate (default: the system's)")
	serverName := fs.String("server-name", "", "TLS server `name` to verify the certificate against (default: the URL's host)")
	username := fs.String("username", "", "basic auth `user`")
	passwordFile := fs.String("password-file", "", "`file` holding the basic auth password")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	u, err := url.Parse(*rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--url %q is not an http:// or https:// URL", *rawURL)
	}
	if u.User != nil {
		return usagef("--url must not hold credentials")
	}
	if timeout <= 0 {
		return usagef("--timeout must be positive")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return usagef("--url: %v", err)
	}
	if (*username == "") != (*passwordFile == "") {
		return usagef("--username and --password-file go together")
	}
	if *username != "" {
		pw, err := secret.Secret{File: *passwordFile}.Value()
		if err != nil {
			return usagef("--password-file: %v", err)
		}
		req.SetBasicAuth(*username, pw)
	}
	tlsCfg := &tls.Config{ServerName: *serverName, MinVersion: tls.VersionTLS12}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return usagef("--ca-file: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return usagef("--ca-file %s holds no PEM certificate", *caFile)
		}
		tlsCfg.RootCAs = pool
	}
	client := &http.Client{
		Transport: &http.Transport{TLSClientConfig: tlsCfg, Proxy: nil},
		// A redirect is not health: say where it pointed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		reason := err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			reason = fmt.Sprintf("no answer within %s", timeout)
		}
		fmt.Fprintf(env.stdout, "unhealthy: %s: %s\n", u.Redacted(), reason)
		return errUnhealthy
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	text := strings.Join(strings.Fields(string(body)), " ")
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(env.stdout, "unhealthy: %s answered %s: %s\n", u.Redacted(), resp.Status, text)
		return errUnhealthy
	}
	fmt.Fprintf(env.stdout, "healthy: %s answered %s: %s\n", u.Redacted(), resp.Status, text)
	return nil
}
