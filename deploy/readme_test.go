package deploy

import (
	"bufio"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/syncwatch/syncwatch/alerts"
	"github.com/syncwatch/syncwatch/config"
	"github.com/syncwatch/syncwatch/internal/dashboard"
)

const readmeFile = "../README.md"

// githubAnchor is the anchor GitHub gives a heading's text: links reduced
// to their text, lower case, every character but letters, digits, spaces,
// hyphens and underscores removed, spaces turned into hyphens.
func githubAnchor(heading string) string {
	heading = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`).ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// readmeAnchors returns the anchors of a Markdown file's headings (outside
// code fences), repeated ones numbered as GitHub does (-1, -2, ...), with
// the heading text of each.
func readmeAnchors(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	anchors := map[string]string{}
	seen := map[string]int{}
	fence := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "```") {
			fence = !fence
			continue
		}
		if fence || !strings.HasPrefix(l, "#") {
			continue
		}
		text := strings.TrimLeft(l, "#")
		if !strings.HasPrefix(text, " ") {
			continue
		}
		a := githubAnchor(text)
		if n := seen[a]; n > 0 {
			seen[a]++
			a += "-" + strconv.Itoa(n)
		} else {
			seen[a] = 1
		}
		anchors[a] = strings.TrimSpace(text)
	}
	return anchors
}

// findingKinds parses alerts/finding.go for the constants of type Kind, so
// that a kind added there needs its runbook entry.
func findingKinds(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../alerts/finding.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Kind" {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					k, _ := strconv.Unquote(lit.Value)
					kinds = append(kinds, k)
				}
			}
		}
	}
	return kinds
}

func TestGitHubAnchor(t *testing.T) {
	for in, want := range map[string]string{
		" compliant-reached":                 "compliant-reached",
		" Live: `syncwatch watch`":           "live-syncwatch-watch",
		" JSON output (stable)":              "json-output-stable",
		" SyncwatchSensorDown":               "syncwatchsensordown",
		" Reading the switch (audit)":        "reading-the-switch-audit",
		" See [the rules](deploy/rules) now": "see-the-rules-now",
	} {
		if got := githubAnchor(in); got != want {
			t.Errorf("githubAnchor(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRunbookAnchors checks that every finding kind of alerts/finding.go
// has a README heading that is exactly the kind (runbook_url is
// DefaultRunbookURL#kind), that every health rule's runbook_url, every
// golden alert's, the dashboard's link and the image's documentation
// label point at README anchors that exist, and that every metric the
// rules and the dashboard use is in the metrics reference.
func TestRunbookAnchors(t *testing.T) {
	anchors := readmeAnchors(t, readmeFile)
	kinds := findingKinds(t)
	if len(kinds) < 14 {
		t.Fatalf("only %d kinds parsed from alerts/finding.go: %q", len(kinds), kinds)
	}
	for _, k := range kinds {
		if anchors[k] != k {
			t.Errorf("kind %s: no README heading %q (anchor #%s: %q)", k, k, k, anchors[k])
		}
	}
	check := func(what, u string) {
		t.Helper()
		base, anchor, ok := strings.Cut(u, "#")
		if !ok || base != alerts.DefaultRunbookURL {
			t.Errorf("%s: %q is not %s#ANCHOR", what, u, alerts.DefaultRunbookURL)
			return
		}
		if _, ok := anchors[anchor]; !ok {
			t.Errorf("%s: README has no anchor #%s", what, anchor)
		}
	}
	for _, r := range readRules(t, rulesFile).Groups[0].Rules {
		check(r.Alert, r.Annotations["runbook_url"])
		if anchors[strings.ToLower(r.Alert)] != r.Alert {
			t.Errorf("%s: no README heading %q", r.Alert, r.Alert)
		}
	}
	for kind, a := range readGoldenAlerts(t) {
		check("golden alert "+kind, a.Annotations["runbook_url"])
	}
	for _, l := range readDashboard(t).Links {
		var link struct {
			URL string `json:"url"`
		}
		if err := json.Unmarshal(l, &link); err != nil {
			t.Fatal(err)
		}
		check("dashboard link", link.URL)
	}
	df, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`org\.opencontainers\.image\.documentation="([^"]+)"`).FindSubmatch(df)
	if m == nil {
		t.Fatal("Dockerfile: no documentation label")
	}
	check("Dockerfile documentation label", string(m[1]))

	// Metrics used by the rules and the dashboard are documented.
	readme, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	_, ref, ok := strings.Cut(string(readme), "### Metrics reference")
	ref, _, _ = strings.Cut(ref, "\n### ")
	if !ok {
		t.Fatal("README has no Metrics reference")
	}
	var exprs []string
	for _, r := range readRules(t, rulesFile).Groups[0].Rules {
		exprs = append(exprs, r.Expr)
	}
	for _, q := range dashboardQueries(t) {
		exprs = append(exprs, q.Expr)
	}
	for _, e := range exprs {
		for _, name := range dashboard.MetricNames(e) {
			if name != "up" && !strings.Contains(ref, "`"+name+"`") {
				t.Errorf("metric %s (in %s) is not in the README's metrics reference", name, e)
			}
		}
	}
}

// TestReadmeLinks checks that every relative link of README.md and
// deploy/README.md names a file that exists and, with an anchor, a heading
// of that file.
func TestReadmeLinks(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, doc := range []string{readmeFile, "README.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Dir(doc)
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := doc
			if file != "" {
				path = filepath.Join(dir, file)
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s: link %s: %v", doc, target, err)
					continue
				}
			}
			if anchor != "" {
				if _, ok := readmeAnchors(t, path)[anchor]; !ok {
					t.Errorf("%s: link %s: no heading with anchor #%s in %s", doc, target, anchor, path)
				}
			}
		}
	}
}

// configKeys returns every key of the configuration file as a dotted path
// (a list's entries add nothing: switches.ssh.port), each section and
// each leaf, from config.Config's yaml tags; a secret and a URL are
// leaves.
func configKeys() map[string]bool {
	keys := map[string]bool{}
	leaves := []reflect.Type{reflect.TypeFor[config.Secret](), reflect.TypeFor[config.URL]()}
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || slices.Contains(leaves, t) {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			switch {
			case opts == "inline":
				walk(prefix, f.Type)
			case name != "" && name != "-":
				keys[prefix+name] = true
				walk(prefix+name+".", f.Type)
			}
		}
	}
	walk("", reflect.TypeFor[config.Config]())
	return keys
}

// TestConfigReference checks README's configuration reference against the
// keys config reads: every key the table names exists, and every leaf
// key is in the table, itself or through a section it belongs to.
func TestConfigReference(t *testing.T) {
	readme, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	_, ref, ok := strings.Cut(string(readme), "### Configuration reference")
	ref, _, _ = strings.Cut(ref, "\n### ")
	if !ok {
		t.Fatal("README has no Configuration reference")
	}
	keys := configKeys()
	documented := map[string]bool{}
	for _, row := range strings.Split(ref, "\n") {
		if !strings.HasPrefix(row, "| `") {
			continue
		}
		cell := strings.Split(row, "|")[1]
		parent := ""
		for i, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(cell, -1) {
			k := m[1]
			if i == 0 {
				if j := strings.LastIndex(k, "."); j >= 0 {
					parent = k[:j+1]
				}
			} else if !strings.Contains(k, ".") {
				// "`collect.connect_timeout`, `handshake_timeout`": the
				// first key's section.
				k = parent + k
			}
			if !keys[k] {
				t.Errorf("README configuration reference: %s is not a key of the configuration file", k)
			}
			documented[k] = true
		}
	}
	var missing []string
	for k := range keys {
		if slices.ContainsFunc(slices.Collect(maps.Keys(keys)), func(o string) bool { return strings.HasPrefix(o, k+".") }) {
			continue // a section: its keys are checked
		}
		covered := false
		for p := k; p != "" && !covered; {
			covered = documented[p]
			i := strings.LastIndex(p, ".")
			if i < 0 {
				break
			}
			p = p[:i]
		}
		if !covered {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("README configuration reference lacks %q", missing)
	}
}
