package secret

import (
	"os"
	"strings"
	"testing"
)

func TestSecretValue(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "s3cret\n")
	crlf := write("crlf", "s3cret\r\n")
	empty := write("empty", "\n")
	t.Setenv("SYNCWATCH_TEST_SECRET", "from-env")
	t.Setenv("SYNCWATCH_TEST_EMPTY", "")
	tests := []struct {
		s    Secret
		want string
		err  string
		str  string
	}{
		{Secret{File: good}, "s3cret", "", "file " + good},
		{Secret{File: crlf}, "s3cret", "", "file " + crlf},
		{Secret{Env: "SYNCWATCH_TEST_SECRET"}, "from-env", "", "environment variable SYNCWATCH_TEST_SECRET"},
		{Secret{File: empty}, "", "secret file " + empty + " is empty", ""},
		{Secret{File: dir + "/missing"}, "", "secret file: open " + dir + "/missing: no such file or directory", ""},
		{Secret{Env: "SYNCWATCH_TEST_EMPTY"}, "", "environment variable SYNCWATCH_TEST_EMPTY is not set or empty", ""},
		{Secret{Env: "X", File: good}, "", "a secret comes from an environment variable or a file, not both", ""},
		{Secret{}, "", "no secret source given", "no secret"},
	}
	for _, tc := range tests {
		v, err := tc.s.Value()
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%+v: err %v, want %s", tc.s, err, tc.err)
			}
			continue
		}
		if err != nil || v != tc.want {
			t.Errorf("%+v: %q, %v", tc.s, v, err)
		}
		if tc.str != "" && tc.s.String() != tc.str {
			t.Errorf("String() = %q", tc.s.String())
		}
		if strings.Contains(tc.s.String(), v) {
			t.Errorf("String() %q shows the secret", tc.s.String())
		}
	}
}
