package deploy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// decodeStrict decodes one manifest (YAML) into v through JSON, as the API
// server's strict field validation does: a duplicate or unknown field (a
// typo) is an error.
func decodeStrict(doc []byte, v any) error {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// manifests are the decoded objects of deploy/kubernetes.
type manifests struct {
	namespace      *corev1.Namespace
	configMap      *corev1.ConfigMap
	secret         *corev1.Secret
	daemonSet      *appsv1.DaemonSet
	service        *corev1.Service
	serviceMonitor *monitoringv1.ServiceMonitor
	prometheusRule *monitoringv1.PrometheusRule
}

func readManifests(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var m manifests
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
			if strings.TrimSpace(regexp.MustCompile(`(?m)^#.*$`).ReplaceAllString(doc, "")) == "" {
				continue
			}
			var tm struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
				t.Fatalf("%s document %d: %v", f, i, err)
			}
			var obj any
			switch tm.APIVersion + " " + tm.Kind {
			case "v1 Namespace":
				m.namespace = &corev1.Namespace{}
				obj = m.namespace
			case "v1 ConfigMap":
				m.configMap = &corev1.ConfigMap{}
				obj = m.configMap
			case "v1 Secret":
				m.secret = &corev1.Secret{}
				obj = m.secret
			case "apps/v1 DaemonSet":
				m.daemonSet = &appsv1.DaemonSet{}
				obj = m.daemonSet
			case "v1 Service":
				m.service = &corev1.Service{}
				obj = m.service
			case "monitoring.coreos.com/v1 ServiceMonitor":
				m.serviceMonitor = &monitoringv1.ServiceMonitor{}
				obj = m.serviceMonitor
			case "monitoring.coreos.com/v1 PrometheusRule":
				m.prometheusRule = &monitoringv1.PrometheusRule{}
				obj = m.prometheusRule
			default:
				t.Fatalf("%s document %d: unexpected %s %s", f, i, tm.APIVersion, tm.Kind)
			}
			if err := decodeStrict([]byte(doc), obj); err != nil {
				t.Errorf("%s document %d (%s): %v", f, i, tm.Kind, err)
			}
		}
	}
	if m.namespace == nil || m.configMap == nil || m.secret == nil || m.daemonSet == nil || m.service == nil ||
		m.serviceMonitor == nil || m.prometheusRule == nil {
		t.Fatalf("missing manifests: %+v", m)
	}
	return m
}

// TestDecodeStrictCatchesTypos shows that the decoding the manifests test
// relies on fails on a misspelled field.
func TestDecodeStrictCatchesTypos(t *testing.T) {
	var ds appsv1.DaemonSet
	err := decodeStrict([]byte("apiVersion: apps/v1\nkind: DaemonSet\nspec:\n  template:\n    spec:\n      hostNetwrok: true\n"), &ds)
	if err == nil || !strings.Contains(err.Error(), `unknown field "hostNetwrok"`) {
		t.Errorf("decoding a typo: %v, want unknown field \"hostNetwrok\"", err)
	}
}

// TestKubernetesManifests decodes every manifest strictly into the upstream
// API types (k8s.io/api, the Prometheus Operator's monitoring/v1), then
// checks what the sensor needs and what ties the objects together: host
// network and DNS, the node selector, non-root with CAP_NET_RAW only and a
// read-only root, probes on /readyz and /healthz, resources, the
// ConfigMap's and Secret's keys that the config and the volumes use, the
// Service and ServiceMonitor selecting the pods' port, and the
// PrometheusRule holding exactly deploy/rules' groups.
func TestKubernetesManifests(t *testing.T) {
	m := readManifests(t)
	ns := m.namespace.Name
	for _, o := range []string{m.configMap.Namespace, m.secret.Namespace, m.daemonSet.Namespace, m.service.Namespace,
		m.serviceMonitor.Namespace, m.prometheusRule.Namespace} {
		if o != ns {
			t.Errorf("object in namespace %q, want %q", o, ns)
		}
	}

	ds := m.daemonSet
	pod := ds.Spec.Template.Spec
	if !pod.HostNetwork || pod.DNSPolicy != corev1.DNSClusterFirstWithHostNet {
		t.Errorf("hostNetwork %v dnsPolicy %q, want true and ClusterFirstWithHostNet", pod.HostNetwork, pod.DNSPolicy)
	}
	if want := map[string]string{"syncwatch.io/span": "true"}; !reflect.DeepEqual(pod.NodeSelector, want) {
		t.Errorf("nodeSelector %v, want %v", pod.NodeSelector, want)
	}
	sel, err := labels.ValidatedSelectorFromSet(ds.Spec.Selector.MatchLabels)
	if err != nil || !sel.Matches(labels.Set(ds.Spec.Template.Labels)) {
		t.Errorf("the DaemonSet's selector %v does not match its pods' labels %v (%v)", ds.Spec.Selector.MatchLabels, ds.Spec.Template.Labels, err)
	}
	if psc := pod.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != 65532 {
		t.Errorf("pod securityContext %+v, want runAsNonRoot and runAsUser 65532", psc)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil ||
		!*sc.ReadOnlyRootFilesystem || sc.RunAsUser == nil || *sc.RunAsUser != 65532 || sc.Privileged != nil && *sc.Privileged ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) ||
		!slices.Equal(sc.Capabilities.Add, []corev1.Capability{"NET_RAW"}) {
		t.Errorf("container securityContext %+v, want uid 65532, no privilege escalation, read-only root, drop ALL, add NET_RAW only", sc)
	}
	if want := []string{"run", "--config", "/etc/syncwatch/syncwatch.yml"}; !slices.Equal(c.Args, want) || len(c.Command) != 0 {
		t.Errorf("command %q args %q, want the image's entrypoint with %q", c.Command, c.Args, want)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 9849 {
		t.Errorf("ports %+v, want http 9849", c.Ports)
	}
	probe := func(name string, p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "http" {
			t.Errorf("%s probe %+v, want GET %s on port http", name, p, path)
		}
	}
	probe("readiness", c.ReadinessProbe, "/readyz")
	probe("liveness", c.LivenessProbe, "/healthz")
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, lim := c.Resources.Requests[r], c.Resources.Limits[r]
		if req.IsZero() || lim.IsZero() || req.Cmp(lim) > 0 {
			t.Errorf("%s: request %s limit %s, want both, request <= limit", r, req.String(), lim.String())
		}
	}

	// Volumes: every mount has its volume; the ConfigMap and Secret are
	// the manifests'; subPaths are keys of the ConfigMap.
	vols := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	mounts := map[string]string{}
	for _, vm := range c.VolumeMounts {
		v, ok := vols[vm.Name]
		if !ok {
			t.Errorf("mount %s: no volume %s", vm.MountPath, vm.Name)
			continue
		}
		mounts[vm.MountPath] = vm.Name
		if v.ConfigMap != nil {
			if v.ConfigMap.Name != m.configMap.Name {
				t.Errorf("volume %s: ConfigMap %q, want %q", v.Name, v.ConfigMap.Name, m.configMap.Name)
			}
			if _, ok := m.configMap.Data[vm.SubPath]; vm.SubPath != "" && !ok {
				t.Errorf("mount %s: ConfigMap has no key %q", vm.MountPath, vm.SubPath)
			}
		}
		if v.Secret != nil && v.Secret.SecretName != m.secret.Name {
			t.Errorf("volume %s: Secret %q, want %q", v.Name, v.Secret.SecretName, m.secret.Name)
		}
	}
	for path, vol := range map[string]string{"/etc/syncwatch/syncwatch.yml": "config", "/etc/syncwatch/known_hosts": "config",
		"/etc/syncwatch/secrets": "secrets", "/var/lib/syncwatch": "data", "/tmp": "tmp"} {
		if mounts[path] != vol {
			t.Errorf("%s mounted from %q, want volume %q", path, mounts[path], vol)
		}
	}
	if v := vols["data"]; v.EmptyDir == nil && v.HostPath == nil {
		t.Errorf("data volume %+v, want an emptyDir or a hostPath", v)
	}

	// The config names secrets only as files of the Secret, which holds
	// placeholders only.
	conf := m.configMap.Data["syncwatch.yml"]
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(conf), &cfg); err != nil {
		t.Fatalf("ConfigMap syncwatch.yml: %v", err)
	}
	refs := regexp.MustCompile(`\{file: /etc/syncwatch/secrets/([a-z_]+)\}`).FindAllStringSubmatch(conf, -1)
	if len(refs) == 0 {
		t.Error("the ConfigMap's config names no secret file")
	}
	for _, r := range refs {
		if _, ok := m.secret.StringData[r[1]]; !ok {
			t.Errorf("config names secret file %s, which the Secret lacks", r[1])
		}
	}
	if len(m.secret.Data) != 0 {
		t.Errorf("Secret has data %v: placeholders go in stringData", m.secret.Data)
	}
	for k, v := range m.secret.StringData {
		if v != "CHANGE-ME" {
			t.Errorf("Secret %s = %q, want the placeholder CHANGE-ME", k, v)
		}
	}

	// Service and ServiceMonitor.
	svc := m.service
	if svc.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Errorf("Service clusterIP %q, want None (headless)", svc.Spec.ClusterIP)
	}
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(ds.Spec.Template.Labels)) || len(svc.Spec.Selector) == 0 {
		t.Errorf("Service selector %v does not match the pods' labels %v", svc.Spec.Selector, ds.Spec.Template.Labels)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "http" || svc.Spec.Ports[0].Port != 9849 || svc.Spec.Ports[0].TargetPort.String() != "http" {
		t.Errorf("Service ports %+v, want http 9849 -> http", svc.Spec.Ports)
	}
	sm := m.serviceMonitor
	smSel := labels.SelectorFromSet(sm.Spec.Selector.MatchLabels)
	if !smSel.Matches(labels.Set(svc.Labels)) || len(sm.Spec.Selector.MatchLabels) == 0 {
		t.Errorf("ServiceMonitor selector %v does not match the Service's labels %v", sm.Spec.Selector.MatchLabels, svc.Labels)
	}
	if !slices.Equal(sm.Spec.NamespaceSelector.MatchNames, []string{ns}) {
		t.Errorf("ServiceMonitor namespaces %q, want [%s]", sm.Spec.NamespaceSelector.MatchNames, ns)
	}
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != "http" || sm.Spec.Endpoints[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor endpoints %+v, want port http, /metrics", sm.Spec.Endpoints)
	}
	if sm.Spec.JobLabel == "" || svc.Labels[sm.Spec.JobLabel] != "syncwatch" {
		t.Errorf("ServiceMonitor jobLabel %q gives job %q, want syncwatch (the rules select job=\"syncwatch\")", sm.Spec.JobLabel, svc.Labels[sm.Spec.JobLabel])
	}

	// The PrometheusRule holds exactly deploy/rules' groups.
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var want monitoringv1.PrometheusRuleSpec
	if err := decodeStrict(b, &want); err != nil {
		t.Fatalf("%s as a PrometheusRule spec: %v", rulesFile, err)
	}
	got, _ := json.Marshal(m.prometheusRule.Spec)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(got, wantJSON) {
		t.Errorf("prometheusrule.yaml's groups differ from %s:\n%s\n%s", rulesFile, got, wantJSON)
	}
	if n := len(want.Groups); n != 1 || len(want.Groups[0].Rules) != 11 {
		t.Errorf("%s: %d groups", rulesFile, n)
	}
}
