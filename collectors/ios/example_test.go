package ios_test

import (
	"fmt"

	"github.com/syncwatch/syncwatch/collectors/ios"
)

func ExampleParseTranscript() {
	transcript := `SW1#show access-session interface Gi1/0/7 details
            Interface:  GigabitEthernet1/0/7
          MAC Address:  0011.2233.4402
         IPv4 Address:  10.1.2.20
               Status:  Authorized
Server Policies:
              ACS ACL: xACSACLx-IP-COMPLIANT-5f152814
SW1#show ip access-lists xACSACLx-IP-COMPLIANT-5f152814
Extended IP access list xACSACLx-IP-COMPLIANT-5f152814 (per-user)
    10 deny tcp any host 10.0.0.11 eq 8449 (3 matches)
    20 permit ip any any
SW1#`
	parsed, warnings := ios.ParseTranscript(transcript)
	for _, p := range parsed {
		for _, s := range p.Result.Sessions {
			fmt.Printf("%s line %d: %s %s %s dACL %s\n", p.Command.Switch, s.Line, s.Interface, s.MAC, s.IPv4, s.DACL)
		}
		for _, a := range p.Result.ACLs {
			fmt.Printf("%s line %d: %s per-user=%v\n", p.Command.Switch, a.Line, a.Name, a.PerUser)
			for _, e := range a.Entries {
				fmt.Printf("  %d %s (%d matches)\n", e.Seq, e.Text, e.Matches)
			}
		}
	}
	fmt.Println(len(warnings), "warnings")
	// Output:
	// SW1 line 2: GigabitEthernet1/0/7 00:11:22:33:44:02 10.1.2.20 dACL xACSACLx-IP-COMPLIANT-5f152814
	// SW1 line 9: xACSACLx-IP-COMPLIANT-5f152814 per-user=true
	//   10 deny tcp any host 10.0.0.11 eq 8449 (3 matches)
	//   20 permit ip any any (0 matches)
	// 0 warnings
}
