package ios

import (
	"reflect"
	"testing"
)

// Synthetic summary layouts that no fixture covers.
func TestParseSessionSummaryLayouts(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		want     []SummaryEntry
		warnings []string
	}{
		{name: "empty", text: ""},
		{name: "no sessions", text: "SW1#show access-session\nNo sessions currently exist\nSW1#"},
		{
			name: "flags, multi-word status, columns of any width, TABs",
			text: `Interface MAC Address Method Domain Status Fg Session ID
Gi1/0/1 0011.2233.4455 dot1x DATA Auth A 0A0000010000000100000001
Twe1/0/2	0011.2233.4456	mab	VOICE	Unauth	DP	0A0000010000000100000002
Fa0/3                      0011.2233.4457      mab      DATA     Authz Failed       0A0000010000000100000003
Te1/1/1 0011.2233.4458 N/A UNKNOWN Unauth 0A0000010000000100000004

Session count = 4
`,
			want: []SummaryEntry{
				{Interface: "GigabitEthernet1/0/1", MAC: "00:11:22:33:44:55", Method: "dot1x", Domain: "DATA",
					Status: "Auth", Authorized: true, Flags: "A", SessionID: "0A0000010000000100000001", Line: 2},
				{Interface: "TwentyFiveGigE1/0/2", MAC: "00:11:22:33:44:56", Method: "mab", Domain: "VOICE",
					Status: "Unauth", Flags: "DP", SessionID: "0A0000010000000100000002", Line: 3},
				{Interface: "FastEthernet0/3", MAC: "00:11:22:33:44:57", Method: "mab", Domain: "DATA",
					Status: "Authz Failed", SessionID: "0A0000010000000100000003", Line: 4},
				{Interface: "TenGigabitEthernet1/1/1", MAC: "00:11:22:33:44:58", Method: "N/A",
					Status: "Unauth", SessionID: "0A0000010000000100000004", Line: 5},
			},
		},
		{
			name: "rows before any header are read in the common layout",
			text: "Gi1/0/9  (unknown)  mab  UNKNOWN  Running  0A0000010000000100000009\n",
			want: []SummaryEntry{{Interface: "GigabitEthernet1/0/9", Method: "mab", Status: "Running",
				SessionID: "0A0000010000000100000009", Line: 1}},
		},
		{
			name: "bad rows and stray lines are warnings",
			text: `Interface    MAC Address    Method  Domain  Status Fg Session ID
Gi1/0/1      0011.2233.4455 dot1x
Gi1/0/2      0011.2233.4456 dot1x   DATA    Auth      not-hex!
something else entirely
`,
			want: []SummaryEntry{{Interface: "GigabitEthernet1/0/2", MAC: "00:11:22:33:44:56", Method: "dot1x",
				Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "not-hex!", Line: 3}},
			warnings: []string{
				`line 2: session summary: row has too few columns: "Gi1/0/1 0011.2233.4455 dot1x"`,
				`line 3: session summary: session ID "not-hex!" is not hexadecimal`,
				`line 4: session summary: unrecognised line "something else entirely"`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ws := ParseSessionSummary(tc.text)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("rows:\n got %+v\nwant %+v", got, tc.want)
			}
			if gw := warningStrings(ws); !reflect.DeepEqual(gw, tc.warnings) {
				t.Errorf("warnings:\n got %q\nwant %q", gw, tc.warnings)
			}
		})
	}
}
