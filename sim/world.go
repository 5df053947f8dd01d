package sim

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// world is the simulated fleet a seed selects: nodes, namespaces,
// workloads with their pods and containers, images, policies and the
// network around them. It is built once by NewGenerator; Next then only
// walks it (and grows process trees), so the per-event cost stays small.
type world struct {
	cluster string
	// relay: events reach us through kubearmor-relay, which appends
	// " remotehost=pod/<ns>/<name>" to TCP connect/accept resources.
	relay bool

	hosts      []*host
	namespaces []string
	workloads  []*workload
	// wlCum is the cumulative traffic weight of workloads, for picking
	// the source of container events.
	wlCum cumWeights

	policies []*policy
	polCum   cumWeights

	images      map[string]struct{}
	externalIPs []string
}

// host is one node running a KubeArmor daemon.
type host struct {
	name   string
	nodeID string
	ip     string
	// modern daemons (KubeArmor ≥ 1.5) fill Owner, Cwd, TTY, ExecEvent,
	// EventData and KubeArmorVersion; older ones leave them empty.
	modern  bool
	hashes  bool // the daemon computes executable hashes
	version string
	lsm     string // enforcing LSM: BPFLSM, AppArmor, SELinux or "" (monitor only)
	lagUs   int64  // how far this node's events trail the stream
	lastUs  int64  // last event time, to keep per-host times increasing
	nextPID int32
	bootNs  int64 // kernel clock at the simulation start, for ExecIDs
	procs   []*proc
	shimExe string
}

// workload is a Deployment, StatefulSet or DaemonSet.
type workload struct {
	ns      string
	name    string
	kind    string
	labels  string
	specs   []*containerSpec
	port    int
	svcIP   string
	offset  float64  // phase offset of its rollouts
	gens    [][]*pod // pods of each rollout generation
	byHost  bool     // DaemonSet: gens[g][i] runs on hosts[i]
	execTTY float64  // share of spawned shells that are interactive
}

type containerSpec struct {
	name  string
	image string
	exe   string
	cmd   string
	cwd   string
	uid   int32
}

type pod struct {
	w          *workload
	name       string
	ip         string
	host       *host
	labels     string
	containers []*container
}

type container struct {
	pod     *pod
	spec    *containerSpec
	id      string
	nextPID int32
	procs   []*proc // live processes; procs[0] is the container's init
	shim    *proc
}

// proc is one live process.
type proc struct {
	exe       string
	cmd       string // exe and arguments: the Source of its events
	parentExe string
	parentCmd string
	pid       int32
	ppid      int32
	hostPID   int32
	hostPPID  int32
	uid       int32
	user      string // host processes only
	execID    string
	execName  string
	cwd       string
	tty       string
}

// policy is a KubeArmor security policy, or the default posture of a
// namespace, that turns matching events into alerts.
type policy struct {
	name      string
	typ       string // MatchedPolicy, MatchedHostPolicy, MatchedNetworkPolicy
	op        string
	workloads []*workload // nil for host policies
	severity  string
	tags      string
	atags     []string
	message   string
	action    string
	preset    string
	targets   []string
	posture   bool // DefaultPosture: an allow-list violation
}

const k8sAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// newWorld builds the fleet for one seed.
func newWorld(r *rand.Rand) *world {
	w := &world{images: make(map[string]struct{})}
	w.cluster = clusterNames[r.IntN(len(clusterNames))]
	w.relay = r.IntN(2) == 0

	nHosts := 10 + r.IntN(41)
	style := r.IntN(hostStyleCount)
	poolID := strconv.Itoa(10000000 + r.IntN(89999999))
	for i := range nHosts {
		w.hosts = append(w.hosts, newHost(r, style, poolID, i))
	}

	nNS := 10 + r.IntN(21)
	perm := r.Perm(len(namespaceNames))
	for _, j := range perm[:nNS] {
		w.namespaces = append(w.namespaces, namespaceNames[j])
	}
	registry := companyRegistries[r.IntN(len(companyRegistries))]
	usedNames := make(map[string]bool)
	for _, ns := range w.namespaces {
		mesh := r.IntN(3) == 0
		n := 2 + r.IntN(7)
		if ns == "kube-system" || ns == "kubearmor" {
			n = 1 + r.IntN(2)
		}
		for range n {
			w.workloads = append(w.workloads, w.newWorkload(r, ns, registry, mesh, usedNames))
		}
	}
	nDS := 2 + r.IntN(3)
	for _, j := range r.Perm(len(daemonSets))[:nDS] {
		w.workloads = append(w.workloads, w.newDaemonSet(r, &daemonSets[j]))
	}

	// Traffic is skewed but not so steeply that small workloads vanish.
	order := r.Perm(len(w.workloads))
	weights := make([]float64, len(w.workloads))
	for rank, j := range order {
		weights[j] = 1 / math.Pow(float64(rank+1), 0.7)
	}
	w.wlCum = cumulative(weights)

	w.externalIPs = make([]string, 1500+r.IntN(2500))
	for i := range w.externalIPs {
		w.externalIPs[i] = publicIP(r)
	}
	w.buildPolicies(r)
	return w
}

func newHost(r *rand.Rand, style int, poolID string, i int) *host {
	h := &host{
		nodeID:  hexString(r, 64),
		ip:      "10." + strconv.Itoa(r.IntN(4)) + "." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(1+r.IntN(254)),
		lagUs:   int64(r.IntN(200_000)),
		nextPID: int32(20_000 + r.IntN(2_000_000)),
		bootNs:  int64(1e13 + r.IntN(9e14)),
		shimExe: "/usr/bin/containerd-shim-runc-v2",
	}
	switch style {
	case hostAKS:
		h.name = "aks-agentpool-" + poolID + "-vmss" + pad(i, 6)
	case hostGKE:
		h.name = "gke-prod-default-pool-" + hexString(r, 8) + "-" + randFrom(r, "abcdefghijklmnopqrstuvwxyz0123456789", 4)
	case hostEKS:
		h.name = "ip-" + strings.ReplaceAll(h.ip, ".", "-") + ".ec2.internal"
	default:
		h.name = "edge-node-" + pad(i+1, 2)
	}
	// A fleet mid-upgrade: most daemons modern, some old.
	h.modern = r.IntN(10) < 7
	if h.modern {
		h.version = []string{"v1.5.3", "v1.6.5", "v1.6.5-8-g3d55b346"}[r.IntN(3)]
		h.hashes = r.IntN(3) == 0
	} else {
		h.version = []string{"v1.3.8", "v1.4.2"}[r.IntN(2)]
	}
	switch r.IntN(10) {
	case 0, 1, 2, 3:
		h.lsm = "BPFLSM"
	case 4, 5, 6:
		h.lsm = "AppArmor"
	case 7:
		h.lsm = "SELinux"
	default:
		h.lsm = ""
	}
	// Long-running node daemons, the roots of host process trees.
	sysd := &proc{exe: "/usr/lib/systemd/systemd", cmd: "/usr/lib/systemd/systemd --system --deserialize 31", pid: 1, hostPID: 1, user: "root"}
	h.procs = append(h.procs, sysd)
	for _, j := range []int{0, 1, 3, 8, 9, 10} {
		t := &hostTools[j]
		p := &proc{exe: t.exe, cmd: joinCmd(t.exe, t.args[0]), parentExe: sysd.exe, parentCmd: sysd.cmd, ppid: 1, hostPPID: 1, user: "root"}
		p.pid = h.allocPID(r)
		p.hostPID = p.pid
		p.execName = baseName(p.exe)
		p.execID = strconv.FormatInt(h.bootNs+int64(r.IntN(1e12)), 10)
		p.cwd = "/"
		h.procs = append(h.procs, p)
	}
	return h
}

func (h *host) allocPID(r *rand.Rand) int32 {
	h.nextPID += 1 + int32(r.IntN(40))
	if h.nextPID > 4_194_000 {
		h.nextPID = 300 + int32(r.IntN(1000))
	}
	return h.nextPID
}

func (w *world) newWorkload(r *rand.Rand, ns, registry string, mesh bool, used map[string]bool) *workload {
	wl := &workload{ns: ns, kind: "Deployment", offset: r.Float64(), execTTY: 0.2}
	var main containerSpec
	if r.IntN(10) < 3 {
		a := &infraApps[r.IntN(len(infraApps))]
		wl.name = a.name
		if a.state {
			wl.kind = "StatefulSet"
		}
		main = containerSpec{name: a.name, image: digest(r, a.image+":"+a.tag), exe: a.exe, cmd: joinCmd(a.exe, a.args), cwd: a.cwd, uid: a.uid}
		wl.port = a.port
	} else {
		name := appWords[r.IntN(len(appWords))]
		if r.IntN(2) == 0 {
			name += "-" + appWords[r.IntN(len(appWords))]
		}
		name += appSuffixes[r.IntN(len(appSuffixes))]
		rt := runtimes[r.IntN(len(runtimes))]
		tag := "v" + strconv.Itoa(r.IntN(4)) + "." + strconv.Itoa(r.IntN(30)) + "." + strconv.Itoa(r.IntN(10))
		exe := rt.exe
		if strings.HasSuffix(exe, "/server") || strings.HasSuffix(exe, "/app") {
			// Compiled services ship their own binary.
			exe = exe[:strings.LastIndexByte(exe, '/')+1] + name
		}
		main = containerSpec{name: name, image: digest(r, registry+"/"+name+":"+tag), exe: exe, cmd: joinCmd(exe, rt.args), cwd: rt.cwd, uid: []int32{0, 0, 1000, 1001, 65532, 10001}[r.IntN(6)]}
		wl.name = name
		wl.port = []int{8080, 8080, 3000, 8000, 9000, 5000, 8443}[r.IntN(7)]
	}
	// Names are unique per namespace only; make them unique overall so
	// that pods are too.
	for used[ns+"/"+wl.name] {
		wl.name += "-" + strconv.Itoa(r.IntN(10))
	}
	used[ns+"/"+wl.name] = true
	main.name = wl.name
	w.images[main.image] = struct{}{}
	wl.specs = append(wl.specs, &main)
	if mesh {
		sc := &sidecars[r.IntN(2)]
		wl.specs = append(wl.specs, w.sidecarSpec(sc))
	}
	if r.IntN(5) == 0 {
		sc := &sidecars[2+r.IntN(len(sidecars)-2)]
		wl.specs = append(wl.specs, w.sidecarSpec(sc))
	}
	wl.labels = "app=" + wl.name
	if r.IntN(2) == 0 {
		wl.labels = "app.kubernetes.io/name=" + wl.name + ",app.kubernetes.io/part-of=" + ns + ",app.kubernetes.io/version=" + strconv.Itoa(1+r.IntN(5))
	}
	wl.svcIP = "10.96." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(1+r.IntN(254))

	replicas := 1 + r.IntN(4)
	gens := 1 + r.IntN(3)
	for range gens {
		rsHash := randFrom(r, k8sAlphabet, 9+r.IntN(2))
		var pods []*pod
		for i := range replicas {
			var name string
			if wl.kind == "StatefulSet" {
				name = wl.name + "-" + strconv.Itoa(i)
			} else {
				name = wl.name + "-" + rsHash + "-" + randFrom(r, k8sAlphabet, 5)
			}
			labels := wl.labels
			if wl.kind == "Deployment" {
				labels += ",pod-template-hash=" + rsHash
			} else {
				labels += ",statefulset.kubernetes.io/pod-name=" + name
			}
			pods = append(pods, w.newPod(r, wl, name, labels, w.hosts[r.IntN(len(w.hosts))]))
		}
		wl.gens = append(wl.gens, pods)
	}
	return wl
}

func (w *world) sidecarSpec(a *appKind) *containerSpec {
	s := &containerSpec{name: a.name, image: a.image + ":" + a.tag + "@sha256:" + sidecarDigest(a.image), exe: a.exe, cmd: joinCmd(a.exe, a.args), cwd: a.cwd, uid: a.uid}
	w.images[s.image] = struct{}{}
	return s
}

func (w *world) newDaemonSet(r *rand.Rand, a *appKind) *workload {
	ns := "kube-system"
	if a.name == "kubearmor" {
		ns = "kubearmor"
	}
	wl := &workload{ns: ns, name: a.name, kind: "DaemonSet", labels: "k8s-app=" + a.name, port: a.port, byHost: true, offset: r.Float64(), execTTY: 0.05}
	spec := &containerSpec{name: a.name, image: digest(r, a.image+":"+a.tag), exe: a.exe, cmd: joinCmd(a.exe, a.args), cwd: a.cwd, uid: a.uid}
	w.images[spec.image] = struct{}{}
	wl.specs = []*containerSpec{spec}
	gens := 1 + r.IntN(2)
	for range gens {
		hash := randFrom(r, k8sAlphabet, 10)
		pods := make([]*pod, len(w.hosts))
		for i, h := range w.hosts {
			pods[i] = w.newPod(r, wl, a.name+"-"+randFrom(r, k8sAlphabet, 5), wl.labels+",controller-revision-hash="+hash, h)
		}
		wl.gens = append(wl.gens, pods)
	}
	return wl
}

func (w *world) newPod(r *rand.Rand, wl *workload, name, labels string, h *host) *pod {
	p := &pod{w: wl, name: name, labels: labels, host: h,
		ip: "10.244." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(2+r.IntN(253))}
	for _, s := range wl.specs {
		p.containers = append(p.containers, &container{pod: p, spec: s, id: hexString(r, 64)})
	}
	return p
}

// pickPod returns the pod of wl serving at phase (the fraction of the
// span elapsed): each rollout generation owns a slice of the span, so
// pods churn through the day.
func (wl *workload) pickPod(r *rand.Rand, phase float64) *pod {
	n := len(wl.gens)
	g := int(phase*float64(n)+wl.offset) % n
	pods := wl.gens[g]
	return pods[r.IntN(len(pods))]
}

// policy templates.
type policyTemplate struct {
	name     string // "%" is replaced by the workload or namespace
	op       string
	targets  []string
	action   string
	severity string
	tags     int // index into tagSets, -1 none
	message  string
	preset   string
}

var containerPolicyTemplates = []policyTemplate{
	{"ksp-%-block-pkg-mgr-exec", "Process", []string{"/usr/bin/apt", "/usr/bin/apt-get", "/sbin/apk", "/usr/bin/dpkg"}, "Block", "5", 0, "Alert! Execution of package management process inside container is denied", ""},
	{"ksp-%-file-integrity-monitoring", "File", []string{"/sbin/raw", "/usr/bin/passwd", "/etc/ld.so.preload", "/bin/su", "/usr/lib/os-release"}, "Block", "1", 1, "Detected and prevented compromise to File integrity", ""},
	{"ksp-%-protect-sa-token", "File", []string{"/var/run/secrets/kubernetes.io/serviceaccount/token"}, "Audit", "3", 6, "Service account token accessed", ""},
	{"ksp-%-audit-shell", "Process", []string{"/bin/sh", "/bin/bash"}, "Audit", "4", 2, "Shell executed in container", ""},
	{"ksp-%-block-raw-sockets", "Network", []string{"domain=AF_INET type=SOCK_RAW protocol=1", "domain=AF_PACKET type=SOCK_RAW protocol=768"}, "Block", "8", 7, "Raw socket creation denied", ""},
	{"ksp-%-deny-cap-net-raw", "Capabilities", []string{"CAP_NET_RAW"}, "Block", "6", 9, "", ""},
	{"ksp-%-block-crypto-miners", "Process", []string{"/tmp/xmrig", "/dev/shm/.x"}, "Block", "10", 8, "Cryptominer execution blocked", ""},
	{"block-dns-query-to-%", "Network", []string{"pool.minexmr.com", "google.com"}, "Block", "10", -1, "", ""},
	{"ksp-%-audit-etc-write", "File", []string{"/etc/passwd", "/etc/shadow", "/etc/hosts", "/etc/resolv.conf"}, "Audit", "7", 4, "Write to /etc detected", ""},
	{"ksp-%-recon-tools", "Process", []string{"/usr/bin/nmap", "/usr/bin/nc", "/usr/bin/nslookup", "/usr/bin/dig"}, "Audit", "6", 3, "Network reconnaissance tool executed", ""},
	{"ksp-%-deny-ptrace", "Syscall", []string{"syscall=SYS_PTRACE request=PTRACE_ATTACH"}, "Block", "9", 10, "", ""},
	{"ksp-%-network", "Network", []string{"domain=AF_UNIX type=SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC protocol=0"}, "Audit", "8", -1, "", ""},
	{"ksp-%-allow-proc-args", "Process", []string{"/usr/bin/python3"}, "Block", "5", -1, "block all arguments except allowedArgs", ""},
	{"ksp-%-allow-listed-files", "File", []string{"/etc/app/config.yaml", "/app/config/settings.json"}, "Allow", "2", 11, "", ""},
	{"ksp-%-fileless-exec", "Process", []string{"/dev/shm/.x", "/tmp/xmrig"}, "Block", "9", 8, "Fileless execution detected", "PRESET-FilelessExec"},
}

var hostPolicyTemplates = []policyTemplate{
	{"hsp-audit-shadow-access", "File", []string{"/etc/shadow"}, "Audit", "7", 4, "Access to /etc/shadow", ""},
	{"hsp-block-kernel-modules", "Process", []string{"/usr/sbin/modprobe"}, "Block", "9", 10, "Kernel module load blocked", ""},
	{"hsp-audit-sudo", "Process", []string{"/usr/bin/sudo"}, "Audit", "4", 5, "", ""},
	{"hsp-protect-kubelet-config", "File", []string{"/var/lib/kubelet/config.yaml"}, "Block", "8", 4, "Kubelet configuration tampering", ""},
	{"hsp-audit-ssh-keys", "File", []string{"/root/.ssh/authorized_keys"}, "Audit", "6", 6, "", ""},
	{"hsp-block-useradd", "Process", []string{"/usr/sbin/useradd", "/usr/bin/passwd"}, "Block", "7", 10, "User management blocked", ""},
	{"hsp-deny-setuid", "Syscall", []string{"syscall=SYS_SETGID userid=0", "syscall=SYS_SETUID userid=0"}, "Block", "", -1, "", ""},
	{"sleep-deny", "Process", []string{"/usr/bin/sleep"}, "Block", "5", -1, "", ""},
	{"hsp-block-usb-storage", "Device", []string{"USB MASS-STORAGE", "USB HID"}, "Remove", "6", -1, "USB device removed", ""},
}

var networkPolicyTemplates = []policyTemplate{
	{"nsp-ingress-audit-ssh", "NetworkFirewall", []string{"INGRESS"}, "Audit", "5", -1, "New SSH connection!", ""},
	{"nsp-egress-block-smtp", "NetworkFirewall", []string{"EGRESS"}, "Block", "6", 7, "Outbound SMTP blocked", ""},
}

func (w *world) buildPolicies(r *rand.Rand) {
	add := func(t *policyTemplate, subject string, typ string, wls []*workload) {
		p := &policy{
			name: strings.ReplaceAll(t.name, "%", subject), typ: typ, op: t.op, workloads: wls,
			severity: t.severity, message: t.message, action: t.action, preset: t.preset, targets: t.targets,
		}
		if r.IntN(12) == 0 {
			p.severity = "" // unset in the policy
		}
		if t.tags >= 0 {
			p.atags = tagSets[t.tags]
			p.tags = strings.Join(p.atags, ",")
		}
		w.policies = append(w.policies, p)
	}
	byNS := make(map[string][]*workload)
	for _, wl := range w.workloads {
		byNS[wl.ns] = append(byNS[wl.ns], wl)
	}
	for _, ns := range w.namespaces {
		wls := byNS[ns]
		if len(wls) == 0 {
			continue
		}
		for range 1 + r.IntN(3) {
			t := &containerPolicyTemplates[r.IntN(len(containerPolicyTemplates))]
			if r.IntN(2) == 0 {
				wl := wls[r.IntN(len(wls))]
				add(t, wl.name, "MatchedPolicy", []*workload{wl})
			} else {
				add(t, ns, "MatchedPolicy", wls)
			}
		}
		if r.IntN(5) == 0 {
			w.policies = append(w.policies, &policy{
				name: "DefaultPosture", typ: "MatchedPolicy", op: []string{"Process", "File", "Network"}[r.IntN(3)],
				workloads: wls, action: "Block", posture: true,
			})
		}
	}
	for _, j := range r.Perm(len(hostPolicyTemplates))[:2+r.IntN(4)] {
		add(&hostPolicyTemplates[j], "", "MatchedHostPolicy", nil)
	}
	for _, j := range r.Perm(len(networkPolicyTemplates))[:r.IntN(3)] {
		add(&networkPolicyTemplates[j], "", "MatchedNetworkPolicy", nil)
	}
	if len(w.policies) > 100 {
		w.policies = w.policies[:100]
	}
	// Dedupe names: two namespaces can instantiate the same template.
	seen := make(map[string]int)
	for _, p := range w.policies {
		if n := seen[p.name]; n > 0 && !p.posture {
			p.name += "-" + strconv.Itoa(n)
		}
		seen[p.name]++
	}
	weights := make([]float64, len(w.policies))
	for rank, j := range r.Perm(len(w.policies)) {
		weights[j] = 1 / math.Pow(float64(rank+1), 1.1) // a few noisy policies
	}
	w.polCum = cumulative(weights)
}

// cumWeights draws indices with given weights. cum holds the normalized
// cumulative weights; guide[k] is the first index whose cumulative
// weight reaches k/len(guide), where the search for a draw in
// [k/len(guide), (k+1)/len(guide)) starts. That finds what a binary
// search of cum finds, in a step or two.
type cumWeights struct {
	cum   []float64
	guide []int32
}

func cumulative(ws []float64) cumWeights {
	cum := make([]float64, len(ws))
	sum := 0.0
	for i, v := range ws {
		sum += v
		cum[i] = sum
	}
	for i := range cum {
		cum[i] /= sum
	}
	// A power of two keeps k/len(guide) and the bucket of a draw exact.
	n := 1
	for n < 2*len(cum) {
		n <<= 1
	}
	guide := make([]int32, n)
	i := 0
	for k := range guide {
		for i < len(cum) && cum[i] < float64(k)/float64(n) {
			i++
		}
		guide[k] = int32(i)
	}
	return cumWeights{cum, guide}
}

// pick returns an index drawn with the weights c was built from.
func (c *cumWeights) pick(r *rand.Rand) int {
	x := r.Float64()
	i := int(c.guide[int(x*float64(len(c.guide)))])
	for i < len(c.cum) && c.cum[i] < x {
		i++
	}
	if i >= len(c.cum) {
		i = len(c.cum) - 1
	}
	return i
}

// Helpers used while building the world; none runs per event.

func digest(r *rand.Rand, ref string) string { return ref + "@sha256:" + hexString(r, 64) }

// sidecarDigest gives every copy of a shared sidecar image the same
// digest, as a registry would.
func sidecarDigest(image string) string {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(image); i++ {
		h ^= uint64(image[i])
		h *= 1099511628211
	}
	r := rand.New(rand.NewPCG(h, 0x5eed))
	return hexString(r, 64)
}

const hexDigits = "0123456789abcdef"

func hexString(r *rand.Rand, n int) string {
	return string(appendHex(make([]byte, 0, n), r, n))
}

func appendHex(b []byte, r *rand.Rand, n int) []byte {
	for n > 0 {
		v := r.Uint64()
		for k := 0; k < 16 && n > 0; k++ {
			b = append(b, hexDigits[v&15])
			v >>= 4
			n--
		}
	}
	return b
}

func randFrom(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func pad(i, width int) string {
	s := strconv.Itoa(i)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

func publicIP(r *rand.Rand) string {
	for {
		a := 1 + r.IntN(223)
		if a == 10 || a == 127 || a == 100 || a == 169 || a == 172 || a == 192 {
			continue
		}
		return strconv.Itoa(a) + "." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(1+r.IntN(254))
	}
}

func joinCmd(exe, args string) string {
	if args == "" {
		return exe
	}
	return exe + " " + args
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
