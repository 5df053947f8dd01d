package sim

import (
	"strconv"

	pb "github.com/kubearmor/KubeArmor/protobuf"
)

// alert builds one Alert in s, or in a new message if s is nil: a policy
// matched an event of one of the workloads (or hosts) it selects. Action,
// Enforcer and Result follow from the policy and the node's LSM the way
// KubeArmor derives them.
func (g *Generator) alert(base int64, s *reuse) *pb.Alert {
	r := g.r
	if r.IntN(300) == 0 {
		return g.thresholdAlert(base, s)
	}
	p := g.w.policies[g.w.polCum.pick(r)]
	var e ev
	if p.workloads != nil {
		wl := p.workloads[r.IntN(len(p.workloads))]
		c := wl.pickPod(r, g.phase(base)).containers[0]
		e = ev{h: c.pod.host, c: c, p: g.liveProc(c)}
	} else {
		h := g.w.hosts[r.IntN(len(g.w.hosts))]
		e = ev{h: h, p: g.hostProc(h)}
	}
	e.us = g.eventTime(e.h, base)
	e.op = p.op

	enforcer, action, result := g.verdict(p, e.h)
	lsm := enforcer == "BPFLSM"
	target := ""
	if len(p.targets) > 0 {
		target = p.targets[r.IntN(len(p.targets))]
	}
	switch p.op {
	case "Process":
		exe := target
		if p.posture {
			exe = ""
		}
		np := g.spawn(&e, exe, result == "Passed")
		e.resource = np.cmd
		if enforcer == "AppArmor" && r.IntN(2) == 0 {
			e.resource = np.exe // AppArmor reports the path only
		}
		e.data = "syscall=SYS_EXECVE"
		if lsm {
			e.data = "lsm=SECURITY_BPRM_CHECK"
		}
	case "File":
		e.resource = target
		if p.posture {
			e.resource = g.filePath(&e)
		}
		e.data = fileSyscalls[3+r.IntN(len(fileSyscalls)-3)]
		if lsm {
			e.data = "lsm=SECURITY_FILE_OPEN"
		}
	case "Network":
		switch {
		case p.posture:
			e.resource = sockTypes[r.IntN(len(sockTypes))]
			e.data = "syscall=SYS_SOCKET"
		case len(target) > 7 && target[:7] == "domain=":
			e.resource = target
			e.data = "syscall=SYS_SOCKET"
			if lsm {
				e.data = "lsm=SOCKET_CREATE"
			}
		default: // a DNS name
			e.resource = target
			var b []byte
			if lsm {
				b = append(g.buf[:0], "lsm=SOCKET_SENDMSG domain="...)
				b = append(b, target...)
				b = append(b, '.')
				b = append(b, e.nsOrDefault()...)
				b = append(b, ".svc.cluster.local"...)
			} else {
				b = appendKfuncDNS(g.buf[:0], target, e.nsOrDefault(), "A")
			}
			g.buf = b
			e.data = g.strs.string(b)
		}
	case "Capabilities":
		e.resource = target
		e.data = "syscall=SYS_SOCKET"
	case "Syscall":
		e.data = target
	case "Device":
		e.p = nil
		e.resource = target
		e.data = "Class=" + target[4:] + " Action=Add"
	case "NetworkFirewall":
		e.p = nil
		e.resource = target
		b := append(g.buf[:0], "SourceIP="...)
		src := g.w.externalIPs[g.zExt.Uint64()]
		if r.IntN(2) == 0 {
			src = "192.168." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(1+r.IntN(254))
		}
		dport := "22"
		if target == "EGRESS" {
			src, dport = e.h.ip, "25"
		}
		b = append(b, src...)
		b = append(b, " SourcePort="...)
		b = strconv.AppendInt(b, int64(32768+r.IntN(28000)), 10)
		b = append(b, " DestinationIP="...)
		b = append(b, e.h.ip...)
		b = append(b, " DestinationPort="...)
		b = append(b, dport...)
		b = append(b, " Protocol=TCP"...)
		g.buf = b
		e.data = g.strs.string(b)
	}
	if e.h.modern && (lsm || p.op == "NetworkFirewall" || p.op == "Network" || p.op == "Device") {
		e.eventData = dataEventData
	}

	o := newAlertOut(s)
	a := &o.alert
	a.PolicyName = p.name
	a.Severity = p.severity
	a.Tags = p.tags
	a.ATags = p.atags
	a.Message = p.message
	a.Type = p.typ
	a.Enforcer = enforcer
	a.Action = action
	e.result = result
	g.fillAlert(o, &e, s)
	if p.posture {
		a.PolicyName = "DefaultPosture"
	}
	if p.op == "NetworkFirewall" {
		a.UserName = "root"
	}
	return a
}

// verdict derives Enforcer, Action and Result: an LSM enforces Block and
// the operation fails; Audit is matched by the eBPF monitor and passes; a
// node without an enforcing LSM can only audit what it would block.
func (g *Generator) verdict(p *policy, h *host) (enforcer, action, result string) {
	denied := "Permission denied"
	if p.op == "Syscall" || p.op == "Capabilities" {
		denied = "Operation not permitted"
	}
	switch {
	case p.op == "NetworkFirewall":
		if p.action == "Block" {
			return "NetworkPolicyEnforcer", "Block", denied
		}
		return "NetworkPolicyEnforcer", p.action, "Passed"
	case p.op == "Device":
		return "USBDeviceHandler", "Remove", "Removed"
	case p.preset != "":
		return p.preset, p.action, denied
	case p.action == "Audit":
		return "eBPF Monitor", "Audit", "Passed"
	case p.action == "Allow":
		if h.lsm == "" {
			return "eBPF Monitor", "Audit (Allow)", "Passed"
		}
		return h.lsm, "Allow", "Passed"
	case h.lsm == "":
		return "eBPF Monitor", "Audit (Block)", "Passed"
	case h.lsm == "SELinux" && p.typ != "MatchedHostPolicy":
		// SELinux enforces host policies only; containers fall back to
		// the monitor.
		return "eBPF Monitor", "Audit (Block)", "Passed"
	}
	return h.lsm, "Block", denied
}

// thresholdAlert is the SystemEvent KubeArmor sends when a container
// exceeds the alert rate and its alerts start being dropped.
func (g *Generator) thresholdAlert(base int64, s *reuse) *pb.Alert {
	c := g.pickContainer(base)
	e := ev{h: c.pod.host, c: c, p: g.liveProc(c)}
	e.us = g.eventTime(e.h, base)
	e.op = "AlertThreshold"
	o := newAlertOut(s)
	a := &o.alert
	a.Type = "SystemEvent"
	a.Message = "Alert threshold reached: dropping alerts for 30s"
	a.MaxAlertsPerSec = 10
	a.DroppingAlertsInterval = 30
	g.fillAlert(o, &e, s)
	return a
}

func (e *ev) nsOrDefault() string {
	if e.c != nil {
		return e.c.pod.w.ns
	}
	return "default"
}

// fillAlert fills o's Alert from e, with EventData in s's map or a new
// one.
func (g *Generator) fillAlert(o *alertOut, e *ev, s *reuse) {
	a := &o.alert
	a.Timestamp = floorDiv(e.us, 1_000_000)
	a.UpdatedTime = g.updatedTime(e.us)
	a.ClusterName = g.w.cluster
	a.HostName = e.h.name
	a.NodeID = e.h.nodeID
	a.Operation = e.op
	a.Resource = e.resource
	a.Data = e.data
	a.Result = e.result
	a.EventData = g.fillEventData(e, s)
	if e.h.modern {
		a.KubeArmorVersion = e.h.version
	}
	if c := e.c; c != nil {
		p := c.pod
		a.NamespaceName = p.w.ns
		a.PodName = p.name
		a.Labels = p.labels
		a.ContainerID = c.id
		a.ContainerName = c.spec.name
		a.ContainerImage = c.spec.image
		if e.h.modern {
			o.owner.Ref, o.owner.Name, o.owner.Namespace = p.w.kind, p.w.name, p.w.ns
			a.Owner = &o.owner
		}
	}
	if p := e.p; p != nil {
		a.HostPPID = p.hostPPID
		a.HostPID = p.hostPID
		a.PPID = p.ppid
		a.PID = p.pid
		a.UID = p.uid
		a.UserName = p.user
		a.ParentProcessName = p.parentExe
		a.ProcessName = p.exe
		a.Source = p.cmd
		if e.op == "Process" {
			a.Source = p.parentCmd
		}
		if e.h.modern {
			a.Cwd = p.cwd
			a.TTY = p.tty
			o.exec.ExecID, o.exec.ExecutableName = p.execID, p.execName
			a.ExecEvent = &o.exec
		}
		if e.h.hashes {
			a.ProcessHash = g.hashOf(p.exe)
			a.ParentHash = g.hashOf(p.parentExe)
			if e.op == "File" {
				a.ResourceHash = g.hashOf(a.Resource)
			}
			a.HashAlgo = "SHA256"
		}
	} else if e.h.modern {
		o.exec.ExecID, o.exec.ExecutableName = "", ""
		a.ExecEvent = &o.exec
	}
}
