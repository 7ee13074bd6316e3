package ios

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The cross-check: every value in an upstream expectation (ntc-templates
// *.yml, genieparser *_expected.json) that maps to one of our fields must
// equal our parse of the same output. Both sides are turned into "facts",
// flat records with the canonical field names below, normalised the same
// way; each upstream record must find one of ours that agrees on every
// field it has.
//
// Mapping table (upstream key -> canonical field; normalisation):
//
//	sessions (details and summaries)
//	  genie interfaces.<K> / interface.<K> / ntc interface / genie interface -> interface (ExpandInterface)
//	  genie mac_address.<K> / mac.<K> / client.<K>, the string fields mac_address,
//	    mac, client, ntc mac_address                             -> mac (NormalizeMAC; Unknown, (unknown) -> "")
//	  genie session_id.<K> / session.<K>, common_session_id, session_id, ntc session -> session_id
//	  ipv4_address, info ipv4 -> ipv4; ipv6_address -> ipv6 (netip; Unknown, UA -> "")
//	  user_name, ntc username -> user; status, status_fg -> status (spaces collapsed)
//	  domain -> domain (UNKNOWN -> ""); oper_host_mode, ntc operational_host_mode -> host_mode
//	  current_policy -> policy; device_type, device_name; authorized_by
//	  method_status.<M>.state, method_status_list{method,state},
//	    ntc method_type_list[i]/method_state_list[i]             -> method:<M>
//	  summary method -> method; brief authc, authz, flag -> flags, uptime
//	  info vlan -> vlan, policy -> policy, role -> role (UA -> "")
//	  server/resultant/local policies: acs_acl, "ACS ACL" -> dacl; filter_id, "Filter-ID" -> filter_id;
//	    url_redirect_acl_v4 -> url_redirect_acl; url_redirect_acl_v6; preauth_acl_v4 -> preauth_acl;
//	    preauth_acl_v6; vlan_group, "Vlan Group", vlan_policy, vlan_id, ntc *_vlan_group -> vlan
//	    (resultant over server over local, as the switch applies them); ntc *_policy_sgt[0] -> sgt
//	ACLs
//	  genie top-level key, ntc name / acl_name -> acl; genie type -> family (ipv4-acl-type -> ipv4,
//	  ipv6-acl-type -> ipv6, eth-acl-type -> mac); genie acl_type, ntc type / acl_type -> kind,
//	  compared with genieKind(our Header) because genie and ntc name role-based, FQDN and MAC lists
//	  by their own vocabulary; genie per_user -> per_user, true for any parenthesised header suffix
//	  (genie reads "(downloaded)" as per-user: we keep it in Note);
//	  genie aces.<K>, ntc sn / line_num / sequence -> seq (genie numbers unnumbered entries 10, 20,
//	  ..., so our Seq 0 entries are compared by position); actions.forwarding, ntc action -> action
//	  (the first word of our Text); statistics.matched_packets, ntc matches -> matches ("" -> 0)
//	addresses
//	  genie neighbors.<K> / ip, global_static_table ip_address, device network_layer_address,
//	    ntc address / ip_address -> ip; link_layer_address, mac_address, hardware_address -> mac
//	    (a "(S)" suffix dropped, Incomplete -> ""); the interfaces.<K> context or interface -> interface;
//	    device vlan_id, ntc vlan_id -> vlan; device/ntc state -> state
//	  device tracking prefix bindings ("/64") and "any" link-layer addresses bind no host: we skip
//	    them, so they are not compared
//	MAC table
//	  genie vlans.<K> / ntc vlan_id -> vlan (lower case), mac_addresses.<K> / destination_address -> mac,
//	  entry_type / type -> type, interfaces.<K> / destination_port[] -> port:<name>, drop -> port:Drop
//	version
//	  hostname; genie version, ntc version -> release; genie image_id, ntc software_image -> image_id;
//	  genie system_image, ntc running_image -> image (compared by file name); genie chassis,
//	  ntc hardware[0] -> model; genie chassis_sn, ntc serial[0] -> serial; genie os -> platform
type fact map[string]string

// knownUpstreamErrors lists upstream records that are wrong, by file and the
// record's identity, with the reason. The test fails if a listed error no
// longer occurs, so the list cannot hide a regression.
var knownUpstreamErrors = map[string]map[string]string{
	"show_authentication_sessions/genie-iosxe-ShowAuthenticationSessionInterfaceSwitch__golden_output_expected.json": {
		"interface=F mac=- session_id=progress":   "genie read the legend line 'F - Final Removal in progress' as a session row",
		"interface=I mac=- session_id=allocation": "genie read the legend line 'I - Awaiting IIF ID allocation' as a session row",
	},
	"show_authentication_sessions/genie-iosxe-ShowAuthenticationSessionInterfaceSwitch__golden_output1_expected.json": {
		"interface=F mac=- session_id=progress":   "genie read the legend line 'F - Final Removal in progress' as a session row",
		"interface=I mac=- session_id=allocation": "genie read the legend line 'I - Awaiting IIF ID allocation' as a session row",
	},
	"show_access-session/genie-iosxe-ShowAccessSessionBrief__golden_output_expected.json": {
		"interface=Interface mac=MAC": "genie read the table header as a session row",
	},
}

// knownUpstreamFieldErrors lists single upstream values that are wrong,
// by file, record identity and field.
var knownUpstreamFieldErrors = map[string]map[string]string{
	"show_authentication_sessions_details/ntc__cisco_ios_show_authentication_sessions_method_mab_details_01.yml": {
		"interface=TenGigabitEthernet2/0/39 mac=00:60:aa:aa:bb:bb device_name": "ntc cut 'Unknown Device' at the first space",
		"interface=GigabitEthernet1/0/21 mac=70:7d:b9:aa:bb:cc device_name":    "ntc cut 'cisco AIR-AP2802I-Z-K9' at the first space",
	},
	"show_access-session/genie-iosxe-ShowAccessSession__golden_output1_expected.json": {
		"interface=GigabitEthernet1/0/1 mac=f4:cf:be:ff:9c:b1 session_id=000000000000000BB6FC9EAF status": "the output says Auth; genie has 'authenticator'",
	},
}

func TestUpstreamExpectations(t *testing.T) {
	var companions []string
	err := filepath.WalkDir(fixtureDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, "_expected.json")) {
			companions = append(companions, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(companions)
	seenErrors := map[string]bool{}
	checked := 0
	for _, comp := range companions {
		rel, _ := filepath.Rel(fixtureDir, comp)
		rel = filepath.ToSlash(rel)
		output := strings.TrimSuffix(comp, ".yml") + ".raw"
		if strings.HasSuffix(comp, "_expected.json") {
			output = strings.TrimSuffix(comp, "_expected.json") + "_output.txt"
		}
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(output)
			if err != nil {
				t.Fatalf("device output for %s: %v", rel, err)
			}
			r, ws := Parse("", string(b))
			if p, _ := DetectPlatform(string(b)); p != "" {
				// Another platform's output: the companion describes what we
				// do not parse; the parse must be the one warning.
				if len(ws) != 1 || !strings.Contains(ws[0].Message, "unsupported platform "+p) {
					t.Errorf("%s output: warnings %v, want one unsupported-platform warning", p, ws)
				}
				return
			}
			theirs, err := upstreamFacts(comp, r.Kind)
			if err != nil {
				t.Fatal(err)
			}
			if len(theirs) == 0 {
				t.Fatalf("no upstream records read from %s", rel)
			}
			ours := ourFacts(r)
			idFields := identityFields(r.Kind)
			for _, f := range theirs {
				id := identity(f, idFields)
				if reason, ok := knownUpstreamErrors[rel][id]; ok {
					seenErrors[rel+" "+id] = true
					t.Logf("skipped upstream record %s: %s", id, reason)
					continue
				}
				checked++
				matchFact(t, rel, f, ours, idFields, seenErrors)
			}
		})
	}
	for file, ids := range knownUpstreamErrors {
		for id := range ids {
			if !seenErrors[file+" "+id] {
				t.Errorf("known upstream error %s %s no longer occurs: remove it from the list", file, id)
			}
		}
	}
	for file, ids := range knownUpstreamFieldErrors {
		for id := range ids {
			if !seenErrors[file+" "+id] {
				t.Errorf("known upstream field error %s %s no longer occurs: remove it from the list", file, id)
			}
		}
	}
	if checked < 500 {
		t.Errorf("only %d upstream records checked", checked)
	}
}

// identityFields are the fields that say which record a fact is about.
func identityFields(k Kind) []string {
	switch k {
	case KindACLs:
		return []string{"acl", "seq"}
	case KindARP, KindDeviceTracking, KindIPDeviceTracking:
		return []string{"ip"}
	case KindMACTable:
		return []string{"vlan", "mac"}
	case KindVersion:
		return []string{"hostname"}
	}
	return []string{"interface", "mac", "session_id"}
}

// identity formats the identity fields a fact has.
func identity(f fact, fields []string) string {
	var parts []string
	for _, k := range fields {
		if v, ok := f[k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

// matchFact finds the record of ours that agrees with an upstream fact.
func matchFact(t *testing.T, file string, theirs fact, ours []fact, idFields []string, seenErrors map[string]bool) {
	t.Helper()
	id := identity(theirs, idFields)
	var best []string
	found := false
	for _, o := range ours {
		same := true
		for _, k := range idFields {
			if v, ok := theirs[k]; ok && o[k] != v {
				same = false
				break
			}
		}
		if !same {
			continue
		}
		var diffs []string
		keys := make([]string, 0, len(theirs))
		for k := range theirs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if o[k] == theirs[k] {
				continue
			}
			if reason, ok := knownUpstreamFieldErrors[file][id+" "+k]; ok {
				seenErrors[file+" "+id+" "+k] = true
				t.Logf("skipped upstream %s of %s: %s", k, id, reason)
				continue
			}
			diffs = append(diffs, fmt.Sprintf("%s: ours %q, upstream %q", k, o[k], theirs[k]))
		}
		if len(diffs) == 0 {
			return
		}
		if !found || len(diffs) < len(best) {
			best = diffs
		}
		found = true
	}
	if !found {
		t.Errorf("upstream record %s: no record of ours with that identity (upstream %v)", id, theirs)
		return
	}
	t.Errorf("upstream record %s differs: %s", id, strings.Join(best, "; "))
}

// norm normalises a value of a canonical field, on both sides alike.
func norm(field, v string) string {
	v = collapse(v)
	switch {
	case field == "interface":
		return ExpandInterface(v)
	case field == "mac":
		if i := strings.IndexByte(v, '('); i > 0 {
			v = v[:i] // device tracking details: "dead.beef.0001(S)"
		}
		if mac, ok := NormalizeMAC(v); ok {
			return mac
		}
		if isUnknownValue(v) || strings.EqualFold(v, "Incomplete") {
			return ""
		}
		return v
	case field == "ip" || field == "ipv4" || field == "ipv6":
		if isUnknownValue(v) || v == "UA" {
			return ""
		}
		var out []string
		for _, s := range strings.Split(v, ",") {
			if a, err := netip.ParseAddr(s); err == nil {
				out = append(out, a.String())
			} else {
				out = append(out, s)
			}
		}
		return strings.Join(out, ",")
	case field == "vlan":
		if hasPrefixFold(v, "vlan:") {
			v = trim(v[len("vlan:"):])
		}
		if v == "UA" {
			return ""
		}
		return strings.ToLower(v)
	case field == "role":
		return unassigned(v)
	case field == "domain", field == "user", field == "session_id", field == "device_type", field == "device_name":
		return known(v)
	case field == "kind", field == "action", field == "platform", field == "type", field == "state":
		return strings.ToLower(v)
	case field == "matches":
		if v == "" {
			return "0"
		}
	case field == "image":
		if i := strings.LastIndexAny(v, ":/"); i >= 0 {
			return v[i+1:]
		}
	}
	return v
}

// put stores a normalised value.
func (f fact) put(field, v string) { f[field] = norm(field, v) }

// ourFacts turns a parse into facts.
func ourFacts(r Result) []fact {
	var out []fact
	for _, s := range r.Sessions {
		f := fact{}
		var v6 []string
		for _, a := range s.IPv6 {
			v6 = append(v6, a.String())
		}
		ipv4 := ""
		if s.IPv4.IsValid() {
			ipv4 = s.IPv4.String()
		}
		for k, v := range map[string]string{
			"interface": s.Interface, "mac": s.MAC, "ipv4": ipv4, "ipv6": strings.Join(v6, ","),
			"user": s.User, "status": s.Status, "domain": s.Domain, "host_mode": s.HostMode,
			"session_id": s.SessionID, "uptime": s.Uptime, "device_type": s.DeviceType,
			"device_name": s.DeviceName, "authorized_by": s.AuthorizedBy, "policy": s.CurrentPolicy,
			"dacl": s.DACL, "dacl_v6": s.DACLv6, "filter_id": s.FilterID,
			"url_redirect_acl": s.URLRedirectACL, "url_redirect_acl_v6": s.URLRedirectACLv6,
			"url_redirect": s.URLRedirect, "preauth_acl": s.PreauthACL, "preauth_acl_v6": s.PreauthACLv6,
			"vlan": s.VLAN, "sgt": s.SGT,
		} {
			f.put(k, v)
		}
		for _, m := range s.Methods {
			f.put("method:"+m.Method, m.State)
		}
		out = append(out, f)
	}
	if r.Kind == KindSessionSummary {
		out = append(out, fact{"session_count": strconv.Itoa(len(r.Summary))})
	}
	for _, s := range r.Summary {
		f := fact{}
		ipv4 := ""
		if s.IPv4.IsValid() {
			ipv4 = s.IPv4.String()
		}
		for k, v := range map[string]string{
			"interface": s.Interface, "mac": s.MAC, "method": s.Method, "domain": s.Domain,
			"status": s.Status, "flags": s.Flags, "session_id": s.SessionID, "authc": s.AuthC,
			"authz": s.AuthZ, "uptime": s.Uptime, "vlan": s.VLAN, "ipv4": ipv4, "policy": s.Policy,
			"role": s.UserRole,
		} {
			f.put(k, v)
		}
		out = append(out, f)
	}
	for _, a := range r.ACLs {
		f := fact{}
		f.put("acl", a.Name)
		f.put("family", a.Family)
		f.put("kind", genieKind(a.Header))
		f.put("per_user", strconv.FormatBool(a.PerUser || a.Note != ""))
		out = append(out, f)
		numbered := false
		for _, e := range a.Entries {
			numbered = numbered || e.Seq != 0
		}
		for i, e := range a.Entries {
			seq := e.Seq
			if !numbered {
				seq = 10 * (i + 1)
			}
			action, _ := firstField(e.Text)
			g := fact{}
			g.put("acl", a.Name)
			g.put("seq", strconv.Itoa(seq))
			g.put("action", action)
			g.put("matches", strconv.FormatInt(e.Matches, 10))
			out = append(out, g)
		}
	}
	for _, a := range r.Addresses {
		f := fact{}
		for k, v := range map[string]string{"ip": a.IP.String(), "mac": a.MAC, "interface": a.Interface,
			"vlan": a.VLAN, "state": a.State} {
			f.put(k, v)
		}
		out = append(out, f)
	}
	for _, m := range r.MACTable {
		f := fact{}
		f.put("vlan", m.VLAN)
		f.put("mac", m.MAC)
		f.put("type", m.Type)
		for _, p := range m.Ports {
			f.put("port:"+p, "yes")
		}
		out = append(out, f)
	}
	if r.Kind == KindVersion {
		f := fact{}
		v := r.Version
		for k, val := range map[string]string{"hostname": v.Hostname, "release": v.Release,
			"image_id": v.ImageID, "image": v.Image, "model": v.Model, "serial": v.Serial,
			"platform": v.Platform} {
			f.put(k, val)
		}
		out = append(out, f)
	}
	return out
}

// genieKind is the name genie gives the kind of list our Header names.
func genieKind(header string) string {
	switch header {
	case "Standard IP access list":
		return "standard"
	case "Extended IP access list", "FQDN IP access list", "Extended MAC access list":
		return "extended"
	case "IPv6 access list":
		return "ipv6"
	case "IPv6 FQDN access list":
		return "ipv6 fqdn"
	case "Role-based IP access list":
		return "role-based"
	case "IPv6 Role-based access list":
		return "ipv6 role-based"
	}
	return "unknown"
}

// upstreamFacts reads a companion file into facts.
func upstreamFacts(path string, kind Kind) ([]fact, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(path, ".yml") {
		var doc struct {
			ParsedSample []map[string]any `yaml:"parsed_sample"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var out []fact
		for _, rec := range doc.ParsedSample {
			if f := ntcFact(kind, rec); len(f) > 0 {
				out = append(out, f)
			}
		}
		return out, nil
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	switch kind {
	case KindACLs:
		return genieACLFacts(doc), nil
	case KindARP:
		return genieARPFacts(doc), nil
	case KindDeviceTracking:
		return genieTrackingFacts(doc), nil
	case KindMACTable:
		return genieMACFacts(doc), nil
	case KindVersion:
		return genieVersionFacts(doc), nil
	}
	var out []fact
	genieSessionWalk(doc, fact{}, &out)
	return out, nil
}

// str renders a scalar of a decoded document.
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// ntcFact maps one ntc-templates record.
func ntcFact(kind Kind, rec map[string]any) fact {
	f := fact{}
	get := func(k string) (string, bool) {
		v, ok := rec[k]
		if !ok {
			return "", false
		}
		return str(v), true
	}
	list := func(k string) []string {
		l, _ := rec[k].([]any)
		var out []string
		for _, v := range l {
			out = append(out, str(v))
		}
		return out
	}
	switch kind {
	case KindSessionDetails, KindSessionSummary:
		for from, to := range map[string]string{"interface": "interface", "mac_address": "mac",
			"session": "session_id", "method": "method", "domain": "domain", "status": "status",
			"ipv4_address": "ipv4", "ipv6_address": "ipv6", "username": "user",
			"operational_host_mode": "host_mode", "current_policy": "policy",
			"device_type": "device_type", "device_name": "device_name"} {
			if v, ok := get(from); ok {
				f.put(to, v)
			}
		}
		types, states := list("method_type_list"), list("method_state_list")
		for i := range types {
			if i < len(states) {
				f.put("method:"+types[i], states[i])
			}
		}
		vlan, _ := get("server_policy_vlan_group")
		if v, _ := get("resultant_policy_vlan_group"); v != "" {
			vlan = v
		}
		if _, ok := rec["server_policy_vlan_group"]; ok {
			f.put("vlan", vlan)
		}
		if sgt := list("server_policy_sgt"); len(sgt) > 0 {
			f.put("sgt", sgt[0])
		}
	case KindACLs:
		name, ok := get("name")
		if !ok {
			name, _ = get("acl_name")
		}
		f.put("acl", name)
		seq, _ := get("sn")
		if s, ok := get("line_num"); ok {
			seq = s
		}
		if s, ok := get("sequence"); ok {
			seq = s
		}
		action, _ := get("action")
		if seq == "" && action == "" {
			// an ACL header row
			typ, ok := get("type")
			if !ok {
				typ, _ = get("acl_type")
			}
			f.put("kind", typ)
			return f
		}
		f.put("seq", seq)
		f.put("action", action)
		if m, ok := get("matches"); ok {
			f.put("matches", m)
		}
	case KindARP, KindIPDeviceTracking:
		for from, to := range map[string]string{"address": "ip", "ip_address": "ip",
			"hardware_address": "mac", "mac_address": "mac", "interface": "interface",
			"vlan_id": "vlan", "state": "state"} {
			if v, ok := get(from); ok {
				f.put(to, v)
			}
		}
	case KindMACTable:
		if v, ok := get("destination_address"); ok {
			f.put("mac", v)
		}
		if v, ok := get("vlan_id"); ok {
			f.put("vlan", v)
		}
		if v, ok := get("type"); ok {
			f.put("type", v)
		}
		for _, p := range list("destination_port") {
			f.put("port:"+ExpandInterface(p), "yes")
		}
	case KindVersion:
		for from, to := range map[string]string{"hostname": "hostname", "version": "release",
			"software_image": "image_id", "running_image": "image"} {
			if v, ok := get(from); ok {
				f.put(to, v)
			}
		}
		if hw := list("hardware"); len(hw) > 0 {
			f.put("model", hw[0])
		}
		if sn := list("serial"); len(sn) > 0 {
			f.put("serial", sn[0])
		}
	}
	return f
}

// genieSessionWalk reads the session parsers' schemas: records nested under
// interfaces.<if>, interface.<if>, mac.<mac>, mac_address.<mac>,
// client.<mac> and session_id.<id>, each key giving the record its
// identity.
func genieSessionWalk(node map[string]any, ctx fact, out *[]fact) {
	rec := fact{}
	for k, v := range ctx {
		rec[k] = v
	}
	fields := 0
	var policies [3]fact // local, server, resultant
	for k, v := range node {
		sub, isMap := v.(map[string]any)
		switch {
		case isMap && (k == "interfaces" || k == "interface"):
			for name, x := range sub {
				if m, ok := x.(map[string]any); ok {
					c := copyFact(ctx)
					c.put("interface", name)
					genieSessionWalk(m, c, out)
				}
			}
		case isMap && (k == "mac_address" || k == "mac" || k == "client"):
			for name, x := range sub {
				if m, ok := x.(map[string]any); ok {
					c := copyFact(rec)
					c.put("mac", name)
					genieSessionWalk(m, c, out)
				}
			}
		case isMap && k == "session_id":
			for id, x := range sub {
				if m, ok := x.(map[string]any); ok {
					c := copyFact(ctx)
					c.put("session_id", id)
					genieSessionWalk(m, c, out)
				}
			}
		case isMap && k == "session":
			for id := range sub {
				rec.put("session_id", id)
				fields++
			}
		case isMap && k == "method_status":
			for name, x := range sub {
				if m, ok := x.(map[string]any); ok {
					rec.put("method:"+name, str(m["state"]))
					fields++
				}
			}
		case isMap && k == "method_status_list":
			rec.put("method:"+str(sub["method"]), str(sub["state"]))
			fields++
		case isMap && k == "local_policies":
			policies[0] = geniePolicies(sub)
		case isMap && k == "server_policies":
			policies[1] = geniePolicies(sub)
		case isMap && k == "resultant_policies":
			policies[2] = geniePolicies(sub)
		case !isMap && k == "session_count":
			*out = append(*out, fact{"session_count": str(v)})
		case !isMap:
			if to, ok := genieSessionField(k); ok {
				rec.put(to, str(v))
				if to != "interface" {
					fields++
				}
			}
		}
	}
	// The switch applies resultant over server over local policies.
	for _, p := range policies {
		for k, v := range p {
			rec[k] = v
			fields++
		}
	}
	if fields > 0 {
		*out = append(*out, rec)
	}
}

func copyFact(f fact) fact {
	c := fact{}
	for k, v := range f {
		c[k] = v
	}
	return c
}

// genieSessionField maps a scalar key of genie's session schemas.
func genieSessionField(k string) (string, bool) {
	switch k {
	case "interface":
		return "interface", true
	case "mac_address", "mac", "client":
		return "mac", true
	case "common_session_id", "session_id":
		return "session_id", true
	case "ipv4_address", "ipv4":
		return "ipv4", true
	case "ipv6_address":
		return "ipv6", true
	case "user_name":
		return "user", true
	case "status", "status_fg":
		return "status", true
	case "domain", "method", "authc", "authz", "uptime", "role", "device_type", "device_name", "authorized_by":
		return k, true
	case "oper_host_mode":
		return "host_mode", true
	case "current_policy", "policy":
		return "policy", true
	case "flag":
		return "flags", true
	case "vlan", "vlan_policy", "vlan_id":
		return "vlan", true
	}
	return "", false
}

// geniePolicies maps a policies dict: named keys, or numbered
// {name, policies} pairs.
func geniePolicies(m map[string]any) fact {
	f := fact{}
	byName := func(name, value string) {
		switch name {
		case "acs_acl", "ACS ACL":
			f.put("dacl", value)
		case "filter_id", "Filter-ID":
			f.put("filter_id", value)
		case "url_redirect_acl_v4", "URL Redirect ACL":
			f.put("url_redirect_acl", value)
		case "url_redirect_acl_v6":
			f.put("url_redirect_acl_v6", value)
		case "preauth_acl_v4", "Preauth ACL":
			f.put("preauth_acl", value)
		case "preauth_acl_v6":
			f.put("preauth_acl_v6", value)
		case "vlan_group", "Vlan Group":
			f.put("vlan", value)
		case "SGT Value":
			f.put("sgt", value)
		}
	}
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			if name, ok := x["name"]; ok {
				byName(str(name), str(x["policies"]))
			} else if k == "vlan_group" {
				byName(k, str(x["vlan"]))
			}
		default:
			byName(k, str(v))
		}
	}
	return f
}

// genieACLFacts maps genie's ACL schema.
func genieACLFacts(doc map[string]any) []fact {
	var out []fact
	for name, v := range doc {
		acl, _ := v.(map[string]any)
		f := fact{}
		f.put("acl", name)
		switch str(acl["type"]) {
		case "ipv4-acl-type":
			f.put("family", "ipv4")
		case "ipv6-acl-type":
			f.put("family", "ipv6")
		case "eth-acl-type":
			f.put("family", "mac")
		}
		if k, ok := acl["acl_type"]; ok {
			f.put("kind", str(k))
		}
		if p, ok := acl["per_user"]; ok {
			f.put("per_user", str(p))
		}
		out = append(out, f)
		aces, _ := acl["aces"].(map[string]any)
		for seq, a := range aces {
			ace, _ := a.(map[string]any)
			g := fact{}
			g.put("acl", name)
			g.put("seq", seq)
			if actions, ok := ace["actions"].(map[string]any); ok {
				g.put("action", str(actions["forwarding"]))
			}
			if st, ok := ace["statistics"].(map[string]any); ok {
				g.put("matches", str(st["matched_packets"]))
			}
			out = append(out, g)
		}
	}
	return out
}

// genieARPFacts maps genie's ARP schema.
func genieARPFacts(doc map[string]any) []fact {
	var out []fact
	ifs, _ := doc["interfaces"].(map[string]any)
	for ifname, v := range ifs {
		m, _ := v.(map[string]any)
		v4, _ := m["ipv4"].(map[string]any)
		nbrs, _ := v4["neighbors"].(map[string]any)
		for _, n := range nbrs {
			nb, _ := n.(map[string]any)
			f := fact{}
			f.put("interface", ifname)
			f.put("ip", str(nb["ip"]))
			f.put("mac", str(nb["link_layer_address"]))
			out = append(out, f)
		}
	}
	static, _ := doc["global_static_table"].(map[string]any)
	for _, n := range static {
		nb, _ := n.(map[string]any)
		f := fact{}
		f.put("interface", "")
		f.put("ip", str(nb["ip_address"]))
		f.put("mac", str(nb["mac_address"]))
		out = append(out, f)
	}
	return out
}

// genieTrackingFacts maps genie's device-tracking schema.
func genieTrackingFacts(doc map[string]any) []fact {
	var out []fact
	devs, _ := doc["device"].(map[string]any)
	for _, v := range devs {
		d, _ := v.(map[string]any)
		addr, lla := str(d["network_layer_address"]), str(d["link_layer_address"])
		if strings.Contains(addr, "/") || strings.EqualFold(lla, "any") {
			continue // binds no host: not parsed (see the mapping table)
		}
		f := fact{}
		f.put("ip", addr)
		f.put("mac", lla)
		f.put("interface", str(d["interface"]))
		f.put("vlan", str(d["vlan_id"]))
		f.put("state", str(d["state"]))
		out = append(out, f)
	}
	return out
}

// genieMACFacts maps genie's MAC address table schema.
func genieMACFacts(doc map[string]any) []fact {
	var out []fact
	table, _ := doc["mac_table"].(map[string]any)
	vlans, _ := table["vlans"].(map[string]any)
	for vlan, v := range vlans {
		vm, _ := v.(map[string]any)
		macs, _ := vm["mac_addresses"].(map[string]any)
		for mac, x := range macs {
			e, _ := x.(map[string]any)
			f := fact{}
			f.put("vlan", vlan)
			f.put("mac", mac)
			if ifs, ok := e["interfaces"].(map[string]any); ok {
				for name, y := range ifs {
					f.put("port:"+ExpandInterface(name), "yes")
					if i, ok := y.(map[string]any); ok {
						f.put("type", str(i["entry_type"]))
					}
				}
			}
			if d, ok := e["drop"].(map[string]any); ok {
				f.put("port:Drop", "yes")
				f.put("type", str(d["entry_type"]))
			}
			out = append(out, f)
		}
	}
	return out
}

// genieVersionFacts maps genie's show version schema.
func genieVersionFacts(doc map[string]any) []fact {
	v, _ := doc["version"].(map[string]any)
	f := fact{}
	for from, to := range map[string]string{"hostname": "hostname", "version": "release",
		"image_id": "image_id", "system_image": "image", "chassis": "model",
		"chassis_sn": "serial", "os": "platform"} {
		if x, ok := v[from]; ok {
			f.put(to, str(x))
		}
	}
	return []fact{f}
}
