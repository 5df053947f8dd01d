package sim

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unsafe"

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
// Next and NextShared produce the same sequence and may be mixed: each
// call advances it by one event. Events share immutable backing data
// (strings, ATags slices) with each other and the generator: callers
// must not modify ATags elements. Strings made for one event (times,
// paths, addresses) are cut from shared 4 KiB blocks, so keeping one
// keeps its block.
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
	toolByExe                    map[string]toolRef

	burst  burst
	spare  *proc // see spawn
	buf    []byte
	strs   arena
	hashes map[string]string
	keys   map[string]string

	// second is the UpdatedTime prefix ("2006-01-02T15:04:05.") of the
	// Unix second secondOf, reused by the next event of the same second.
	second   []byte
	secondOf int64

	shared reuse
}

// reuse holds the messages NextShared fills in place.
type reuse struct {
	alert alertOut
	log   logOut
	msg   pb.Message
	data  map[string]string
}

// logOut and alertOut are a message with the sub-messages it may point
// to, allocated together: Next allocates one per event.
type logOut struct {
	log   pb.Log
	owner pb.Podowner
	exec  pb.ExecEvent
}

type alertOut struct {
	alert pb.Alert
	owner pb.Podowner
	exec  pb.ExecEvent
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
		toolByExe: make(map[string]toolRef),
		buf:       make([]byte, 0, 256),
		hashes:    make(map[string]string),
		keys:      make(map[string]string),
		secondOf:  math.MinInt64,
		shared:    reuse{data: make(map[string]string, 8)},
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
		g.toolByExe[containerTools[i].exe] = toolRef{&containerTools[i], containerToolCmds[i]}
	}
	for i := range hostTools {
		if _, ok := g.toolByExe[hostTools[i].exe]; !ok {
			g.toolByExe[hostTools[i].exe] = toolRef{&hostTools[i], hostToolCmds[i]}
		}
	}
	return g
}

// toolRef is a tool with its command lines (see toolCmds).
type toolRef struct {
	t    *tool
	cmds []string
}

// Next returns the next event in new messages that the caller owns. In
// count mode event i's time lies in [Start, Start+Span), increasing per
// host; past Count, times stay at the end of the span. In continuous mode
// times follow the wall clock.
func (g *Generator) Next() Event { return g.next(nil) }

// NextShared returns the next event, as Next would, in messages owned by
// the generator: the message, its Owner and ExecEvent and its EventData
// map are overwritten by the next call to NextShared, so the event is
// valid only until then. It is for callers that encode or copy each event
// at once, and allocates little.
func (g *Generator) NextShared() Event { return g.next(&g.shared) }

// next builds the next event in s, or in new messages if s is nil.
func (g *Generator) next(s *reuse) Event {
	base := g.baseTime()
	g.n++
	x := g.r.Float64()
	switch {
	case x < g.msgP:
		return Event{Message: g.message(base, s)}
	case x < g.msgP+g.alertP:
		return Event{Alert: g.alert(base, s)}
	default:
		return Event{Log: g.log(base, s)}
	}
}

func newLogOut(s *reuse) *logOut {
	if s == nil {
		return new(logOut)
	}
	// Owner and ExecEvent have all their fields set when used.
	o := &s.log
	o.log.Reset()
	return o
}

func newAlertOut(s *reuse) *alertOut {
	if s == nil {
		return new(alertOut)
	}
	o := &s.alert
	o.alert.Reset()
	return o
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
	eventData eventData
}

// eventData says what a modern daemon puts in an event's EventData.
type eventData uint8

const (
	noEventData           eventData = iota
	socketEventData                 // {"Syscall": "SYS_SOCKET"}
	dataEventData                   // the key=value tokens of Data
	dataResourceEventData           // those of Data, then of Resource
)

// updatedTime formats us as an UpdatedTime. Consecutive events mostly
// fall in the same second, whose formatted prefix is kept.
func (g *Generator) updatedTime(us int64) string {
	if secs := floorDiv(us, 1_000_000); secs != g.secondOf {
		g.second = appendUpdatedTime(g.second[:0], secs*1_000_000)
		g.second = g.second[:len(g.second)-len("000000Z")]
		g.secondOf = secs
	}
	f := int(us - g.secondOf*1_000_000)
	b := append(g.buf[:0], g.second...)
	b = append(b, byte('0'+f/100000), byte('0'+f/10000%10), byte('0'+f/1000%10),
		byte('0'+f/100%10), byte('0'+f/10%10), byte('0'+f%10), 'Z')
	g.buf = b
	return g.strs.string(b)
}

// arena hands out strings carved from append-only byte blocks, so that
// the strings made for one event (times, paths, addresses) cost an
// allocation per block rather than one each. Bytes handed out are never
// written again, so the strings are immutable; each keeps its whole
// block alive, so strings that outlive events (in processes, caches) are
// allocated on their own instead.
type arena struct{ block []byte }

const arenaBlock = 4096

func (a *arena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(a.block)-len(a.block) < len(b) {
		a.block = make([]byte, 0, max(arenaBlock, len(b)))
	}
	n := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[n], len(b))
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
	wl := g.w.workloads[g.w.wlCum.pick(g.r)]
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
// live processes; a blocked exec never runs. The process it replaces, or
// itself if not kept, becomes g.spare: nothing points to it after this
// event, so the next spawn reuses it.
func (g *Generator) spawn(e *ev, exe string, keep bool) *proc {
	r := g.r
	var t toolRef
	if exe == "" {
		if e.c != nil {
			i := g.zTool.Uint64()
			t = toolRef{&containerTools[i], containerToolCmds[i]}
		} else {
			i := g.zHostTool.Uint64()
			t = toolRef{&hostTools[i], hostToolCmds[i]}
		}
		exe = t.t.exe
	} else {
		t = g.toolByExe[exe]
	}
	cmd := exe
	if t.t != nil {
		cmd = t.cmds[r.IntN(len(t.t.args))]
	}
	parent := e.p
	np := g.spare
	if np == nil {
		np = new(proc)
	}
	g.spare = nil
	*np = proc{exe: exe, cmd: cmd, execName: baseName(exe), execID: g.execID(e.h)}
	h := e.h
	np.hostPID = h.allocPID(r)
	if c := e.c; c != nil {
		if (exe == "/bin/bash" || exe == "/bin/sh") && r.Float64() < c.pod.w.execTTY {
			// kubectl exec: an interactive shell under the runtime shim.
			parent = c.shim
			np.tty = ptsNames[r.IntN(3)]
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
				i := 1 + r.IntN(5)
				g.spare, c.procs[i] = c.procs[i], np
			}
		} else {
			g.spare = np
		}
	} else {
		np.pid = np.hostPID
		np.ppid = parent.pid
		u := &hostUsers[r.IntN(len(hostUsers))]
		np.user, np.uid, np.cwd = u.name, u.uid, u.cwd
		if parent.exe == "/usr/sbin/sshd" || r.IntN(20) == 0 {
			np.tty = ptsNames[r.IntN(4)]
		}
		if keep {
			if len(h.procs) < 16 {
				h.procs = append(h.procs, np)
			} else {
				i := 7 + r.IntN(9)
				g.spare, h.procs[i] = h.procs[i], np
			}
		} else {
			g.spare = np
		}
	}
	np.parentExe = parent.exe
	np.parentCmd = parent.cmd
	np.hostPPID = parent.hostPID
	e.p = np
	return np
}

// log builds one Log event in s, or in a new message if s is nil.
func (g *Generator) log(base int64, s *reuse) *pb.Log {
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
	o := newLogOut(s)
	g.fillLog(o, &e, s)
	return &o.log
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
		b = appendRandFrom(b, r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10)
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
	return g.strs.string(b)
}

func (e *ev) appName() string {
	if e.c != nil {
		return e.c.spec.name
	}
	return "node"
}

func appendRandFrom(b []byte, r *rand.Rand, alphabet string, n int) []byte {
	for range n {
		b = append(b, alphabet[r.IntN(len(alphabet))])
	}
	return b
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
			e.eventData = socketEventData
		}
		return
	case x < 65:
		var ip string
		var port int
		var remote *pod
		switch {
		case scan:
			ip = g.burst.ip
			g.burst.port++
			port = g.burst.port
		case r.IntN(10) < 6:
			wl := g.w.workloads[g.w.wlCum.pick(r)]
			port = wl.port
			if r.IntN(2) == 0 {
				ip = wl.svcIP
			} else {
				p := wl.pickPod(r, g.phase(e.us))
				ip = p.ip
				if g.w.relay {
					remote = p
				}
			}
		default:
			ip = g.w.externalIPs[g.zExt.Uint64()]
			port = wellKnownPorts[r.IntN(len(wellKnownPorts))]
		}
		b = appendConnect(b, ip, port, remote)
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
		var name string
		if r.IntN(2) == 0 {
			name = externalDomains[r.IntN(len(externalDomains))]
		} else {
			name = g.w.workloads[g.w.wlCum.pick(r)].name
		}
		b = appendKfuncDNS(b, name, e.nsOrDefault(), []string{"A", "AAAA"}[r.IntN(2)])
		g.buf = b
		e.data = g.strs.string(b)
		if e.h.modern {
			e.eventData = dataResourceEventData
		}
		return
	}
	g.buf = b
	e.resource = g.strs.string(b)
	if e.h.modern && r.IntN(2) == 0 {
		e.eventData = dataResourceEventData
	}
}

// appendConnect appends the Resource of a TCP connect to ip:port, with
// the remote host a relay adds when the peer is pod p (nil: none).
func appendConnect(b []byte, ip string, port int, p *pod) []byte {
	b = append(b, "remoteip="...)
	b = append(b, ip...)
	b = append(b, " port="...)
	b = strconv.AppendInt(b, int64(port), 10)
	b = append(b, " protocol=TCP"...)
	if p != nil {
		b = append(b, " remotehost=pod/"...)
		b = append(b, p.w.ns...)
		b = append(b, '/')
		b = append(b, p.name...)
	}
	return b
}

// appendKfuncDNS appends the Data of a DNS query for name from
// namespace ns, as the eBPF monitor reports it.
func appendKfuncDNS(b []byte, name, ns, qtype string) []byte {
	b = append(b, "kfunc=UDP_SENDMSG,domain="...)
	b = append(b, name...)
	b = append(b, '.')
	b = append(b, ns...)
	b = append(b, ".svc.cluster.local,daddr=10.96.0.10,qtype="...)
	return append(b, qtype...)
}

// fillEventData returns e's EventData, built in s's map or, if s is nil,
// a new one; nil if e has none.
func (g *Generator) fillEventData(e *ev, s *reuse) map[string]string {
	if e.eventData == noEventData {
		return nil
	}
	var m map[string]string
	if s != nil {
		m = s.data
		clear(m)
	} else {
		m = make(map[string]string, 4)
	}
	switch e.eventData {
	case socketEventData:
		m["Syscall"] = "SYS_SOCKET"
	case dataEventData:
		g.parseData(m, e.data)
	case dataResourceEventData:
		g.parseData(m, e.data)
		g.parseData(m, e.resource)
	}
	return m
}

// parseData adds to m what modern daemons put in EventData: the
// key=value tokens of s, keys capitalized.
func (g *Generator) parseData(m map[string]string, s string) {
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
	// k may point into the arena: keep a copy.
	k = strings.Clone(k)
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
	g.hashes[strings.Clone(s)] = v // s may point into the arena
	return v
}

// message builds one daemon Message in s, or in a new message if s is
// nil.
func (g *Generator) message(base int64, s *reuse) *pb.Message {
	h := g.w.hosts[g.r.IntN(len(g.w.hosts))]
	us := g.eventTime(h, base)
	t := &messageTexts[g.r.IntN(len(messageTexts))]
	var m *pb.Message
	if s == nil {
		m = new(pb.Message)
	} else {
		m = &s.msg
		m.Reset()
	}
	m.Timestamp = floorDiv(us, 1_000_000)
	m.UpdatedTime = g.updatedTime(us)
	m.ClusterName = g.w.cluster
	m.HostName = h.name
	m.HostIP = h.ip
	m.Type = "Message"
	m.Level = t.level
	m.Message = t.text
	return m
}

// fillLog fills o's Log from e, with EventData in s's map or a new one.
func (g *Generator) fillLog(o *logOut, e *ev, s *reuse) {
	l := &o.log
	l.Timestamp = floorDiv(e.us, 1_000_000)
	l.UpdatedTime = g.updatedTime(e.us)
	l.ClusterName = g.w.cluster
	l.HostName = e.h.name
	l.NodeID = e.h.nodeID
	l.Operation = e.op
	l.Resource = e.resource
	l.Data = e.data
	l.Result = e.result
	l.EventData = g.fillEventData(e, s)
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
			o.owner.Ref, o.owner.Name, o.owner.Namespace = p.w.kind, p.w.name, p.w.ns
			l.Owner = &o.owner
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
			o.exec.ExecID, o.exec.ExecutableName = p.execID, p.execName
			l.ExecEvent = &o.exec
		}
	}
}
