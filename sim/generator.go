package sim

import (
	"math/rand/v2"
	"strconv"
	"time"

	pb "github.com/kubearmor/KubeArmor/protobuf"
)

// Event is one generated KubeArmor event: exactly one field is set.
type Event struct {
	Alert   *pb.Alert
	Log     *pb.Log
	Message *pb.Message
}

// Generator produces a seeded, reproducible stream of KubeArmor events
// from a simulated fleet (see world.go). It is not safe for concurrent
// use.
//
// Events share immutable backing data (tag slices): callers must not
// modify the events they receive.
type Generator struct {
	r *rand.Rand
	w *world

	n       int64 // events generated so far
	count   int64
	startUs int64
	endUs   int64
	spanUs  int64
	stepUs  float64

	alertP, msgP, hostP float64

	zTool, zHostTool, zHot, zExt *rand.Zipf
	toolByExe                    map[string]*tool

	burst  burst
	buf    []byte
	hashes map[string]string
	keys   map[string]string
}

// A burst is a run of events from one source (a rollout exec storm, a
// port scan, a cron job) over the base mix.
type burst struct {
	left int
	kind int
	c    *container
	h    *host
	ip   string
	port int
}

const (
	burstExec = iota
	burstScan
	burstCron
)

// NewGenerator returns a generator for cfg (defaults applied to a copy).
func NewGenerator(cfg Config) *Generator {
	cfg.EnsureDefaults()
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6b61726d6f72)) // "karmor"
	g := &Generator{
		r:         r,
		w:         newWorld(r),
		count:     int64(cfg.Count),
		startUs:   cfg.Start.UnixMicro(),
		spanUs:    cfg.Span.Microseconds(),
		toolByExe: make(map[string]*tool),
		buf:       make([]byte, 0, 256),
		hashes:    make(map[string]string),
		keys:      make(map[string]string),
	}
	if g.spanUs < 1 {
		g.spanUs = 1
	}
	g.endUs = g.startUs + g.spanUs
	if g.count > 0 {
		g.stepUs = float64(g.spanUs) / float64(g.count)
	}
	g.alertP = 0.04 + 0.04*r.Float64()
	g.msgP = 0.0003 + 0.0004*r.Float64()
	g.hostP = 0.06 + 0.06*r.Float64()
	g.zTool = rand.NewZipf(r, 1.2, 2, uint64(len(containerTools)-1))
	g.zHostTool = rand.NewZipf(r, 1.2, 3, uint64(len(hostTools)-1))
	g.zHot = rand.NewZipf(r, 1.1, 1, uint64(len(hotFiles)-1))
	g.zExt = rand.NewZipf(r, 1.05, 5, uint64(len(g.w.externalIPs)-1))
	for i := range containerTools {
		g.toolByExe[containerTools[i].exe] = &containerTools[i]
	}
	for i := range hostTools {
		if _, ok := g.toolByExe[hostTools[i].exe]; !ok {
			g.toolByExe[hostTools[i].exe] = &hostTools[i]
		}
	}
	return g
}

// Next returns the next event. In count mode event i's time lies in
// [Start, Start+Span), increasing per host; past Count, times stay at the
// end of the span. In continuous mode times follow the wall clock.
func (g *Generator) Next() Event {
	base := g.baseTime()
	g.n++
	x := g.r.Float64()
	switch {
	case x < g.msgP:
		return Event{Message: g.message(base)}
	case x < g.msgP+g.alertP:
		return Event{Alert: g.alert(base)}
	default:
		return Event{Log: g.log(base)}
	}
}

func (g *Generator) baseTime() int64 {
	if g.count > 0 {
		return g.startUs + int64(float64(g.n)*g.stepUs)
	}
	return time.Now().UnixMicro()
}

// phase is the fraction of the span (count mode) or of the day
// (continuous mode) elapsed at base: it selects which rollout generation
// of each workload is serving.
func (g *Generator) phase(base int64) float64 {
	if g.count > 0 {
		return float64(base-g.startUs) / float64(g.spanUs)
	}
	const day = 86400e6
	return float64(base%int64(day)) / day
}

// eventTime places an event of host h near base: each node trails the
// stream by its own lag, its times never go backwards and rarely repeat.
func (g *Generator) eventTime(h *host, base int64) int64 {
	t := base - h.lagUs + int64(g.r.IntN(1000))
	if t <= h.lastUs {
		t = h.lastUs + 1 + int64(g.r.IntN(40))
	}
	if g.count > 0 {
		t = max(t, g.startUs)
		t = min(t, g.endUs-1)
	}
	h.lastUs = t
	return t
}

// ev is the part of an event that Alert and Log share.
type ev struct {
	h         *host
	c         *container // nil for host events
	p         *proc      // nil for events without a process
	us        int64
	op        string
	resource  string
	data      string
	result    string
	eventData map[string]string
}

func (g *Generator) updatedTime(us int64) string {
	g.buf = appendUpdatedTime(g.buf[:0], us)
	return string(g.buf)
}

// pickSource chooses the host, container and process an event comes from.
func (g *Generator) pickSource(base int64) ev {
	r := g.r
	if g.burst.left > 0 && r.IntN(10) < 7 {
		g.burst.left--
		if g.burst.c != nil {
			c := g.burst.c
			return ev{h: c.pod.host, c: c, p: g.liveProc(c)}
		}
		return ev{h: g.burst.h, p: g.hostProc(g.burst.h)}
	}
	if g.burst.left <= 0 && r.IntN(5000) == 0 {
		g.startBurst(base)
	}
	if r.Float64() < g.hostP {
		h := g.w.hosts[r.IntN(len(g.w.hosts))]
		return ev{h: h, p: g.hostProc(h)}
	}
	c := g.pickContainer(base)
	return ev{h: c.pod.host, c: c, p: g.liveProc(c)}
}

func (g *Generator) startBurst(base int64) {
	r := g.r
	g.burst = burst{left: 100 + r.IntN(900), kind: r.IntN(3)}
	switch g.burst.kind {
	case burstExec, burstScan:
		g.burst.c = g.pickContainer(base)
		g.burst.ip = "10.244." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(2+r.IntN(253))
		g.burst.port = 1 + r.IntN(1000)
	case burstCron:
		g.burst.h = g.w.hosts[r.IntN(len(g.w.hosts))]
	}
}

func (g *Generator) pickContainer(base int64) *container {
	wl := g.w.workloads[pickCum(g.r, g.w.wlCum)]
	p := wl.pickPod(g.r, g.phase(base))
	if len(p.containers) == 1 || g.r.IntN(4) != 0 {
		return p.containers[0]
	}
	return p.containers[1+g.r.IntN(len(p.containers)-1)]
}

// liveProc returns a running process of c, starting the container's init
// process on first use so that PIDs rise with time.
func (g *Generator) liveProc(c *container) *proc {
	if len(c.procs) == 0 {
		g.initContainer(c)
	}
	if g.r.IntN(2) == 0 {
		return c.procs[0]
	}
	return c.procs[g.r.IntN(len(c.procs))]
}

func (g *Generator) initContainer(c *container) {
	h := c.pod.host
	shimPID := h.allocPID(g.r)
	c.shim = &proc{exe: h.shimExe, cmd: h.shimExe + " -namespace k8s.io -id " + c.id + " -address /run/containerd/containerd.sock",
		pid: shimPID, hostPID: shimPID, ppid: 1, hostPPID: 1}
	hp := h.allocPID(g.r)
	s := c.spec
	c.procs = append(c.procs[:0], &proc{
		exe: s.exe, cmd: s.cmd, parentExe: h.shimExe, parentCmd: c.shim.cmd,
		pid: 1, hostPID: hp, hostPPID: shimPID, uid: s.uid,
		execName: baseName(s.exe), execID: g.execID(h), cwd: s.cwd,
	})
	c.nextPID = int32(6 + g.r.IntN(40))
}

func (g *Generator) hostProc(h *host) *proc {
	return h.procs[g.r.IntN(len(h.procs))]
}

func (g *Generator) execID(h *host) string {
	g.buf = strconv.AppendInt(g.buf[:0], h.bootNs+g.n*1_000_003+int64(g.r.IntN(1_000_000)), 10)
	return string(g.buf)
}

// spawn starts a new process in the event's container (or on its host)
// as a child of e.p. exe "" picks a realistic tool. keep adds it to the
// live processes; a blocked exec never runs.
func (g *Generator) spawn(e *ev, exe string, keep bool) *proc {
	r := g.r
	var t *tool
	if exe == "" {
		if e.c != nil {
			t = &containerTools[g.zTool.Uint64()]
		} else {
			t = &hostTools[g.zHostTool.Uint64()]
		}
		exe = t.exe
	} else {
		t = g.toolByExe[exe]
	}
	args := ""
	if t != nil {
		args = t.args[r.IntN(len(t.args))]
	}
	parent := e.p
	np := &proc{exe: exe, cmd: joinCmd(exe, args), execName: baseName(exe), execID: g.execID(e.h)}
	h := e.h
	np.hostPID = h.allocPID(r)
	if c := e.c; c != nil {
		if (exe == "/bin/bash" || exe == "/bin/sh") && r.Float64() < c.pod.w.execTTY {
			// kubectl exec: an interactive shell under the runtime shim.
			parent = c.shim
			np.tty = "pts" + strconv.Itoa(r.IntN(3))
		} else {
			np.tty = parent.tty
		}
		c.nextPID += 1 + int32(r.IntN(3))
		np.pid = c.nextPID
		if parent == c.shim {
			np.ppid = 0
		} else {
			np.ppid = parent.pid
		}
		np.uid = c.spec.uid
		np.cwd = c.procs[0].cwd
		if keep {
			if len(c.procs) < 6 {
				c.procs = append(c.procs, np)
			} else {
				c.procs[1+r.IntN(5)] = np
			}
		}
	} else {
		np.pid = np.hostPID
		np.ppid = parent.pid
		u := hostUsers[r.IntN(len(hostUsers))]
		np.user, np.uid = u.name, u.uid
		np.cwd = "/"
		if u.uid != 0 {
			np.cwd = "/home/" + u.name
		}
		if parent.exe == "/usr/sbin/sshd" || r.IntN(20) == 0 {
			np.tty = "pts" + strconv.Itoa(r.IntN(4))
		}
		if keep {
			if len(h.procs) < 16 {
				h.procs = append(h.procs, np)
			} else {
				h.procs[7+r.IntN(9)] = np
			}
		}
	}
	np.parentExe = parent.exe
	np.parentCmd = parent.cmd
	np.hostPPID = parent.hostPID
	e.p = np
	return np
}

// log builds one Log event.
func (g *Generator) log(base int64) *pb.Log {
	r := g.r
	e := g.pickSource(base)
	e.us = g.eventTime(e.h, base)
	e.result = "Passed"

	// Operation shares (%) of container and host logs: file, network,
	// process, then capabilities and syscalls.
	x := r.IntN(100)
	if e.c == nil {
		x = hostOpShares[x]
	} else {
		x = containerOpShares[x]
	}
	switch {
	case g.inBurst(&e) && g.burst.kind == burstScan:
		x = opNetwork
	case g.inBurst(&e) && r.IntN(2) == 0:
		x = opProcess // rollout exec storm or cron job
	}
	switch x {
	case opFile:
		g.fileEvent(&e)
	case opNetwork:
		g.networkEvent(&e)
	case opProcess:
		g.processEvent(&e)
	case opCapabilities:
		e.op = "Capabilities"
		i := r.IntN(len(capabilities))
		e.resource = capabilities[i]
		e.data = capSyscalls[i]
	default:
		e.op = "Syscall"
		e.data = syscallOps[r.IntN(len(syscallOps))]
		if r.IntN(8) == 0 {
			e.result = "Operation not permitted"
		}
	}
	l := &pb.Log{}
	g.fillLog(l, &e)
	return l
}

const (
	opFile = iota
	opNetwork
	opProcess
	opCapabilities
	opSyscall
)

// Lookup tables from a percentile to a log operation.
var containerOpShares, hostOpShares = opShares(55, 22, 17, 3), opShares(60, 14, 22, 2)

func opShares(file, network, process, capabilities int) (t [100]int) {
	for i := range t {
		switch {
		case i < file:
			t[i] = opFile
		case i < file+network:
			t[i] = opNetwork
		case i < file+network+process:
			t[i] = opProcess
		case i < file+network+process+capabilities:
			t[i] = opCapabilities
		default:
			t[i] = opSyscall
		}
	}
	return t
}

// inBurst reports whether e comes from the source of the current burst.
func (g *Generator) inBurst(e *ev) bool {
	if g.burst.left <= 0 {
		return false
	}
	if e.c != nil {
		return g.burst.c == e.c
	}
	return g.burst.h == e.h
}

var capSyscalls = []string{
	"syscall=SYS_SOCKET", "syscall=SYS_BIND", "syscall=SYS_MOUNT", "syscall=SYS_PTRACE",
	"syscall=SYS_FCHOWNAT", "syscall=SYS_OPENAT", "syscall=SYS_SETUID", "syscall=SYS_SETGID",
	"syscall=SYS_SETSOCKOPT", "syscall=SYS_INIT_MODULE", "syscall=SYS_KILL",
}

func (g *Generator) processEvent(e *ev) {
	e.op = "Process"
	np := g.spawn(e, "", true)
	e.resource = np.cmd
	e.data = "syscall=SYS_EXECVE"
	if g.r.IntN(30) == 0 {
		e.data = "syscall=SYS_EXECVEAT"
	}
	if g.r.IntN(50) == 0 {
		e.result = "No such file or directory"
	}
}

func (g *Generator) fileEvent(e *ev) {
	r := g.r
	e.op = "File"
	e.resource = g.filePath(e)
	e.data = fileSyscalls[r.IntN(len(fileSyscalls))]
	if r.IntN(100) < 6 {
		e.result = fileErrors[min(r.IntN(len(fileErrors)), r.IntN(len(fileErrors)))] // skewed to the first
	}
}

// filePath mixes hot repeats with a long tail of paths seldom or never
// seen before.
func (g *Generator) filePath(e *ev) string {
	r := g.r
	if r.IntN(100) < 66 {
		return hotFiles[g.zHot.Uint64()]
	}
	b := g.buf[:0]
	switch r.IntN(9) {
	case 0, 1:
		b = append(b, "/proc/"...)
		b = strconv.AppendInt(b, int64(e.p.pid+int32(r.IntN(3))), 10)
		b = append(b, []string{"/stat", "/status", "/cmdline", "/fd", "/maps", "/environ"}[r.IntN(6)]...)
	case 2:
		b = append(b, "/tmp/tmp."...)
		b = append(b, randFromBuf(r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10)...)
	case 3:
		b = append(b, "/var/lib/"...)
		b = append(b, e.appName()...)
		b = append(b, "/data/"...)
		b = appendHex(b, r, 16)
		b = append(b, ".dat"...)
	case 4:
		b = append(b, "/app/uploads/"...)
		y, m, _ := civil(floorDiv(e.us, 86400e6))
		b = append4(b, y)
		b = append(b, '/')
		b = append2(b, m)
		b = append(b, '/')
		b = appendHex(b, r, 8)
		b = append(b, '-')
		b = appendHex(b, r, 4)
		b = append(b, []string{".jpg", ".png", ".pdf", ".json", ".csv"}[r.IntN(5)]...)
	case 5:
		b = append(b, "/var/log/"...)
		b = append(b, e.appName()...)
		b = append(b, '/')
		y, m, d := civil(floorDiv(e.us, 86400e6))
		b = append4(b, y)
		b = append(b, '-')
		b = append2(b, m)
		b = append(b, '-')
		b = append2(b, d)
		b = append(b, ".log"...)
	case 6:
		b = append(b, "/var/cache/nginx/proxy_temp/"...)
		b = strconv.AppendInt(b, int64(r.IntN(10)), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(10+r.IntN(90)), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(1_000_000_000+r.IntN(1_000_000_000)), 10)
	case 7:
		b = append(b, "/usr/local/lib/python3.11/site-packages/"...)
		b = append(b, []string{"requests", "urllib3", "botocore", "django", "flask", "sqlalchemy", "pydantic", "numpy", "pandas", "grpc"}[r.IntN(10)]...)
		b = append(b, '/')
		b = append(b, []string{"__init__", "utils", "models", "client", "session", "core", "compat", "exceptions", "connection", "api"}[r.IntN(10)]...)
		b = append(b, ".py"...)
	default:
		b = append(b, "/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"...)
		b = appendHex(b, r, 8)
		b = append(b, "_"...)
		b = appendHex(b, r, 4)
		b = append(b, []string{"/cpu.stat", "/memory.current", "/io.stat"}[r.IntN(3)]...)
	}
	g.buf = b
	return string(b)
}

func (e *ev) appName() string {
	if e.c != nil {
		return e.c.spec.name
	}
	return "node"
}

func randFromBuf(r *rand.Rand, alphabet string, n int) []byte {
	var a [32]byte
	for i := range n {
		a[i] = alphabet[r.IntN(len(alphabet))]
	}
	return a[:n]
}

func (g *Generator) networkEvent(e *ev) {
	r := g.r
	e.op = "Network"
	b := g.buf[:0]
	x := r.IntN(100)
	scan := g.inBurst(e) && g.burst.kind == burstScan
	if scan {
		x = 30 // a scan: connects to consecutive ports of one address
	}
	switch {
	case x < 28:
		e.resource = sockTypes[min(r.IntN(len(sockTypes)), r.IntN(len(sockTypes)))]
		e.data = "syscall=SYS_SOCKET"
		if e.h.modern {
			e.eventData = map[string]string{"Syscall": "SYS_SOCKET"}
		}
		return
	case x < 65:
		var ip, remote string
		var port int
		switch {
		case scan:
			ip = g.burst.ip
			g.burst.port++
			port = g.burst.port
		case r.IntN(10) < 6:
			wl := g.w.workloads[pickCum(r, g.w.wlCum)]
			port = wl.port
			if r.IntN(2) == 0 {
				ip = wl.svcIP
			} else {
				p := wl.pickPod(r, g.phase(e.us))
				ip = p.ip
				remote = "pod/" + wl.ns + "/" + p.name
			}
		default:
			ip = g.w.externalIPs[g.zExt.Uint64()]
			port = wellKnownPorts[r.IntN(len(wellKnownPorts))]
		}
		b = append(b, "remoteip="...)
		b = append(b, ip...)
		b = append(b, " port="...)
		b = strconv.AppendInt(b, int64(port), 10)
		b = append(b, " protocol=TCP"...)
		if g.w.relay && remote != "" {
			b = append(b, " remotehost="...)
			b = append(b, remote...)
		}
		e.data = "kprobe=tcp_connect domain=AF_INET"
		if r.IntN(25) == 0 {
			e.result = "Connection refused"
		}
	case x < 80:
		b = append(b, "remoteip="...)
		if r.IntN(3) == 0 {
			b = append(b, g.w.externalIPs[g.zExt.Uint64()]...)
		} else {
			b = append(b, "10.244."...)
			b = strconv.AppendInt(b, int64(r.IntN(256)), 10)
			b = append(b, '.')
			b = strconv.AppendInt(b, int64(2+r.IntN(253)), 10)
		}
		b = append(b, " port="...)
		port := 22
		if e.c != nil {
			port = e.c.pod.w.port
		}
		b = strconv.AppendInt(b, int64(port), 10)
		b = append(b, " protocol=TCP"...)
		e.data = "kprobe=tcp_accept domain=AF_INET"
	default:
		e.resource = "sa_family=AF_INET sin_port=53"
		b = append(b, "kfunc=UDP_SENDMSG,domain="...)
		var name string
		if r.IntN(2) == 0 {
			name = externalDomains[r.IntN(len(externalDomains))]
		} else {
			name = g.w.workloads[pickCum(r, g.w.wlCum)].name
		}
		b = append(b, name...)
		ns := "default"
		if e.c != nil {
			ns = e.c.pod.w.ns
		}
		b = append(b, '.')
		b = append(b, ns...)
		b = append(b, ".svc.cluster.local,daddr=10.96.0.10,qtype="...)
		b = append(b, []string{"A", "AAAA"}[r.IntN(2)]...)
		g.buf = b
		e.data = string(b)
		if e.h.modern {
			e.eventData = g.parseData(e.data, e.resource)
		}
		return
	}
	g.buf = b
	e.resource = string(b)
	if e.h.modern && r.IntN(2) == 0 {
		e.eventData = g.parseData(e.data, e.resource)
	}
}

// parseData is what modern daemons put in EventData: the key=value
// tokens of Data and Resource, keys capitalized.
func (g *Generator) parseData(parts ...string) map[string]string {
	m := make(map[string]string, 4)
	for _, s := range parts {
		for len(s) > 0 {
			tok := s
			if i := indexByte(s, ' '); i >= 0 {
				tok, s = s[:i], s[i+1:]
			} else {
				s = ""
			}
			if i := indexByte(tok, '='); i > 0 {
				m[g.capKey(tok[:i])] = tok[i+1:]
			}
		}
	}
	return m
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func (g *Generator) capKey(k string) string {
	if v, ok := g.keys[k]; ok {
		return v
	}
	v := k
	if k[0] >= 'a' && k[0] <= 'z' {
		v = string(k[0]-'a'+'A') + k[1:]
	}
	g.keys[k] = v
	return v
}

// hashOf returns a stable SHA-256-looking digest for a path, the same
// for every event that names it.
func (g *Generator) hashOf(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := g.hashes[s]; ok {
		return v
	}
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	v := hexString(rand.New(rand.NewPCG(h, 0x4a5)), 64)
	g.hashes[s] = v
	return v
}

// message builds one daemon Message.
func (g *Generator) message(base int64) *pb.Message {
	h := g.w.hosts[g.r.IntN(len(g.w.hosts))]
	us := g.eventTime(h, base)
	m := messageTexts[g.r.IntN(len(messageTexts))]
	return &pb.Message{
		Timestamp:   floorDiv(us, 1_000_000),
		UpdatedTime: g.updatedTime(us),
		ClusterName: g.w.cluster,
		HostName:    h.name,
		HostIP:      h.ip,
		Type:        "Message",
		Level:       m.level,
		Message:     m.text,
	}
}

func (g *Generator) fillLog(l *pb.Log, e *ev) {
	l.Timestamp = floorDiv(e.us, 1_000_000)
	l.UpdatedTime = g.updatedTime(e.us)
	l.ClusterName = g.w.cluster
	l.HostName = e.h.name
	l.NodeID = e.h.nodeID
	l.Operation = e.op
	l.Resource = e.resource
	l.Data = e.data
	l.Result = e.result
	l.EventData = e.eventData
	if c := e.c; c != nil {
		l.Type = "ContainerLog"
		p := c.pod
		l.NamespaceName = p.w.ns
		l.PodName = p.name
		l.Labels = p.labels
		l.ContainerID = c.id
		l.ContainerName = c.spec.name
		l.ContainerImage = c.spec.image
		if e.h.modern {
			l.Owner = &pb.Podowner{Ref: p.w.kind, Name: p.w.name, Namespace: p.w.ns}
		}
	} else {
		l.Type = "HostLog"
	}
	if p := e.p; p != nil {
		l.HostPPID = p.hostPPID
		l.HostPID = p.hostPID
		l.PPID = p.ppid
		l.PID = p.pid
		l.UID = p.uid
		l.UserName = p.user
		l.ParentProcessName = p.parentExe
		l.ProcessName = p.exe
		l.Source = p.cmd
		if e.op == "Process" {
			// The acting command line of an exec is the parent's.
			l.Source = p.parentCmd
		}
		if e.h.modern {
			l.Cwd = p.cwd
			l.TTY = p.tty
			l.ExecEvent = &pb.ExecEvent{ExecID: p.execID, ExecutableName: p.execName}
		}
	}
}
