package sim

import (
	"strconv"

	pb "github.com/kubearmor/KubeArmor/protobuf"
)

// alert builds one Alert: a policy matched an event of one of the
// workloads (or hosts) it selects. Action, Enforcer and Result follow
// from the policy and the node's LSM the way KubeArmor derives them.
func (g *Generator) alert(base int64) *pb.Alert {
	r := g.r
	if r.IntN(300) == 0 {
		return g.thresholdAlert(base)
	}
	p := g.w.policies[pickCum(r, g.w.polCum)]
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
			e.data = "lsm=SOCKET_SENDMSG domain=" + target + "." + e.nsOrDefault() + ".svc.cluster.local"
			if !lsm {
				e.data = "kfunc=UDP_SENDMSG,domain=" + target + "." + e.nsOrDefault() + ".svc.cluster.local,daddr=10.96.0.10,qtype=A"
			}
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
		e.data = string(b)
	}
	if e.h.modern && (lsm || p.op == "NetworkFirewall" || p.op == "Network" || p.op == "Device") {
		e.eventData = g.parseData(e.data)
	}

	a := &pb.Alert{
		PolicyName: p.name,
		Severity:   p.severity,
		Tags:       p.tags,
		ATags:      p.atags,
		Message:    p.message,
		Type:       p.typ,
		Enforcer:   enforcer,
		Action:     action,
	}
	e.result = result
	g.fillAlert(a, &e)
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
func (g *Generator) thresholdAlert(base int64) *pb.Alert {
	c := g.pickContainer(base)
	e := ev{h: c.pod.host, c: c, p: g.liveProc(c)}
	e.us = g.eventTime(e.h, base)
	e.op = "AlertThreshold"
	a := &pb.Alert{
		Type:                   "SystemEvent",
		Message:                "Alert threshold reached: dropping alerts for 30s",
		MaxAlertsPerSec:        10,
		DroppingAlertsInterval: 30,
	}
	g.fillAlert(a, &e)
	return a
}

func (e *ev) nsOrDefault() string {
	if e.c != nil {
		return e.c.pod.w.ns
	}
	return "default"
}

func (g *Generator) fillAlert(a *pb.Alert, e *ev) {
	a.Timestamp = floorDiv(e.us, 1_000_000)
	a.UpdatedTime = g.updatedTime(e.us)
	a.ClusterName = g.w.cluster
	a.HostName = e.h.name
	a.NodeID = e.h.nodeID
	a.Operation = e.op
	a.Resource = e.resource
	a.Data = e.data
	a.Result = e.result
	a.EventData = e.eventData
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
			a.Owner = &pb.Podowner{Ref: p.w.kind, Name: p.w.name, Namespace: p.w.ns}
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
			a.ExecEvent = &pb.ExecEvent{ExecID: p.execID, ExecutableName: p.execName}
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
		a.ExecEvent = &pb.ExecEvent{}
	}
}
