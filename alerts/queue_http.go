package alerts

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/syncwatch/syncwatch/internal/secret"
)

// DefaultHTTPTimeout bounds one POST to a peer: connecting, sending and
// reading the answer.
const DefaultHTTPTimeout = 10 * time.Second

// BasicAuth is HTTP basic authentication with a password from a Secret.
type BasicAuth struct {
	Username string
	Password secret.Secret
}

// TLSOptions set how a peer's HTTPS certificate is checked and which
// client certificate is shown to it.
type TLSOptions struct {
	// CAFile holds the PEM certificates trusted for the peer; the
	// system's when empty.
	CAFile string
	// CertFile and KeyFile are a client certificate and its key (PEM).
	CertFile string
	KeyFile  string
	// ServerName overrides the name checked in the peer's certificate.
	ServerName string
	// InsecureSkipVerify accepts any certificate: for a lab only.
	InsecureSkipVerify bool
}

// HTTPOptions set how a sink reaches its peers over HTTP.
type HTTPOptions struct {
	// Timeout bounds one POST (DefaultHTTPTimeout when zero).
	Timeout time.Duration
	// BasicAuth and BearerToken are exclusive.
	BasicAuth   *BasicAuth
	BearerToken *secret.Secret
	TLS         TLSOptions
}

// httpPoster posts JSON to peers with the options' authentication, TLS and
// timeout, and turns every failure into a deliveryError whose message
// names neither the URL (webhook URLs often embed a token) nor a secret.
type httpPoster struct {
	client  *http.Client
	auth    string // the Authorization header value, or ""
	timeout time.Duration
	// secrets are the strings a peer's answer must not carry into a
	// message: the Authorization header and its parts.
	secrets []string
}

func newHTTPPoster(o HTTPOptions) (*httpPoster, error) {
	p := &httpPoster{timeout: o.Timeout}
	if p.timeout <= 0 {
		p.timeout = DefaultHTTPTimeout
	}
	switch {
	case o.BasicAuth != nil && o.BearerToken != nil:
		return nil, errors.New("basic auth and a bearer token are exclusive")
	case o.BasicAuth != nil:
		pw, err := o.BasicAuth.Password.Value()
		if err != nil {
			return nil, fmt.Errorf("basic auth password: %w", err)
		}
		req := http.Request{Header: http.Header{}}
		req.SetBasicAuth(o.BasicAuth.Username, pw)
		p.auth = req.Header.Get("Authorization")
		p.secrets = []string{p.auth, strings.TrimPrefix(p.auth, "Basic "), o.BasicAuth.Username + ":" + pw, pw}
	case o.BearerToken != nil:
		tok, err := o.BearerToken.Value()
		if err != nil {
			return nil, fmt.Errorf("bearer token: %w", err)
		}
		p.auth = "Bearer " + tok
		p.secrets = []string{p.auth, tok}
	}
	tc, err := o.TLS.config()
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: p.timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   p.timeout,
		ResponseHeaderTimeout: p.timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	p.client = &http.Client{
		Transport: tr,
		Timeout:   p.timeout,
		// A redirect would carry the credentials and the payload somewhere
		// the configuration does not name.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return p, nil
}

func (o TLSOptions) config() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: o.ServerName, InsecureSkipVerify: o.InsecureSkipVerify}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA file %s holds no PEM certificate", o.CAFile)
		}
		tc.RootCAs = pool
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return nil, errors.New("a TLS client certificate needs both cert_file and key_file")
	}
	if o.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// maxAnswer bounds how much of a peer's answer is read: enough for an
// error message, and to let the connection be reused.
const maxAnswer = 4 << 10

// post sends body to u and returns nil on a 2xx answer.
func (p *httpPoster) post(ctx context.Context, u string, body []byte, header http.Header) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return &deliveryError{reason: reasonOther, permanent: true, msg: "building the request failed"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "syncwatch")
	for k, v := range header {
		req.Header[k] = v
	}
	if p.auth != "" {
		req.Header.Set("Authorization", p.auth)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return transportError(err)
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	// A peer may echo the request (a proxy's 401 quoting the
	// Authorization header, a 404 quoting the path with its token).
	return statusError(resp.StatusCode, redact(answer, append(urlSecrets(u), p.secrets...)))
}

// redact replaces every secret of at least 4 bytes in b with <secret>,
// longest first (a header holds its token).
func redact(b []byte, secrets []string) []byte {
	slices.SortFunc(secrets, func(x, y string) int { return len(y) - len(x) })
	for _, s := range secrets {
		if len(s) >= 4 {
			b = bytes.ReplaceAll(b, []byte(s), []byte("<secret>"))
		}
	}
	return b
}

// urlSecrets returns the parts of a URL that may be tokens: its query
// values and its path segments of 16 or more characters (Slack-style
// /services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX), as written and as
// decoded.
func urlSecrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	if u.RawQuery != "" {
		// As written, as JSON escapes it (& is \u0026), and value by
		// value, encoded and decoded.
		out = append(out, u.RawQuery, strings.ReplaceAll(u.RawQuery, "&", `\u0026`))
		for _, kv := range strings.Split(u.RawQuery, "&") {
			if _, v, ok := strings.Cut(kv, "="); ok {
				out = append(out, v)
			}
		}
		for _, vs := range u.Query() {
			out = append(out, vs...)
		}
	}
	if u.User != nil {
		out = append(out, u.User.String())
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if len(seg) >= 16 {
			out = append(out, seg)
			if d, err := url.PathUnescape(seg); err == nil && d != seg {
				out = append(out, d)
			}
		}
	}
	return out
}

// statusError classifies an HTTP answer. 400, 413 and 422 refuse the
// payload itself, so retrying it would block the queue forever; every
// other error (wrong credentials, a proxy's 404 during a deployment, 429,
// 5xx) may heal and is retried.
func statusError(code int, answer []byte) error {
	if code >= 200 && code < 300 {
		return nil
	}
	msg := fmt.Sprintf("HTTP %d", code)
	if a := printable(answer, 200); a != "" {
		msg += ": " + a
	}
	de := &deliveryError{msg: msg}
	switch {
	case code == http.StatusBadRequest || code == http.StatusRequestEntityTooLarge || code == http.StatusUnprocessableEntity:
		de.reason, de.permanent = reasonRejected, true
	case code >= 500:
		de.reason = reasonHTTP5xx
	case code >= 400:
		de.reason = reasonHTTP4xx
	case code >= 300:
		de.reason = reasonHTTP3xx
		msg += " (redirects are not followed: configure the final URL)"
		de.msg = msg
	default:
		de.reason = reasonOther
	}
	return de
}

// transportError classifies a failure to get an answer, keeping the cause
// and dropping the URL that url.Error carries.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	de := &deliveryError{reason: reasonConnection, msg: err.Error()}
	var (
		ne  net.Error
		cve *tls.CertificateVerificationError
		rhe tls.RecordHeaderError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		de.reason = reasonTimeout
	case errors.As(err, &cve), errors.As(err, &rhe), strings.Contains(err.Error(), "tls:"):
		de.reason = reasonTLS
	case errors.Is(err, context.Canceled):
		de.reason = reasonShutdown
	}
	return de
}

// printable keeps at most n runes of b, with control characters as spaces,
// so that a peer's answer cannot forge log lines.
func printable(b []byte, n int) string {
	s := strings.ToValidUTF8(strings.TrimSpace(string(b)), "\uFFFD")
	var out strings.Builder
	for _, r := range s {
		if n == 0 {
			out.WriteString("...")
			break
		}
		if !unicode.IsPrint(r) {
			r = ' '
		}
		out.WriteRune(r)
		n--
	}
	return out.String()
}
