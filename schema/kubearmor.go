package schema

import "github.com/armorlake/armorlake/coldata"

// Names of the KubeArmor tables.
const (
	AlertsTable   = "alerts"
	LogsTable     = "logs"
	MessagesTable = "messages"
)

// Ingest metadata columns present in every KubeArmor table.
const (
	IngestOperatorColumn = "ingest_operator"
	IngestEndpointColumn = "ingest_endpoint"
)

var (
	text  = coldata.Text
	int4  = coldata.Int32
	int8  = coldata.Int64
	tstz  = coldata.Timestamptz
	jsonb = coldata.Jsonb
	tarr  = coldata.TextArray
)

// Column groups, composed below into the tables in the order they present
// their columns. ts comes first because it is the column every query
// filters on.
var (
	eventHead = []Column{
		{"ts", tstz, "UpdatedTime (µs), else Timestamp"},
		{"timestamp", int8, "Timestamp (unix seconds)"},
		{"cluster_name", text, "ClusterName"},
		{"host_name", text, "HostName"},
		{"node_id", text, "NodeID"},
		{"namespace_name", text, "NamespaceName"},
		{"owner_ref", text, "Owner.Ref"},
		{"owner_name", text, "Owner.Name"},
		{"owner_namespace", text, "Owner.Namespace"},
		{"pod_name", text, "PodName"},
		{"labels", text, "Labels"},
		{"container_id", text, "ContainerID"},
		{"container_name", text, "ContainerName"},
		{"container_image", text, "ContainerImage"},
		{"host_ppid", int4, "HostPPID"},
		{"host_pid", int4, "HostPID"},
		{"ppid", int4, "PPID"},
		{"pid", int4, "PID"},
		{"uid", int4, "UID"},
		{"user_name", text, "UserName"},
		{"parent_process_name", text, "ParentProcessName"},
		{"process_name", text, "ProcessName"},
		{"cwd", text, "Cwd"},
		{"tty", text, "TTY"},
		{"exec_id", text, "ExecEvent.ExecID"},
		{"exec_name", text, "ExecEvent.ExecutableName"},
	}
	alertPolicy = []Column{
		{"policy_name", text, "PolicyName"},
		{"severity", int4, "Severity (string 1..10; NULL when empty)"},
		{"tags", text, "Tags"},
		{"atags", tarr, "ATags"},
		{"message", text, "Message"},
	}
	activity = []Column{
		{"type", text, "Type"},
		{"source", text, "Source"},
		{"operation", text, "Operation"},
		{"resource", text, "Resource"},
		{"data", text, "Data"},
		{"event_data", jsonb, "EventData"},
	}
	alertVerdict = []Column{
		{"enforcer", text, "Enforcer"},
		{"action", text, "Action"},
		{"result", text, "Result"},
		{"max_alerts_per_sec", int4, "MaxAlertsPerSec"},
		{"dropping_alerts_interval", int4, "DroppingAlertsInterval"},
		{"kubearmor_version", text, "KubeArmorVersion"},
	}
	logVerdict = []Column{
		{"result", text, "Result"},
	}
	hashes = []Column{
		{"process_hash", text, "ProcessHash"},
		{"parent_hash", text, "ParentHash"},
		{"resource_hash", text, "ResourceHash"},
		{"hash_algo", text, "HashAlgo"},
	}
	messageBody = []Column{
		{"ts", tstz, "UpdatedTime (µs), else Timestamp"},
		{"timestamp", int8, "Timestamp (unix seconds)"},
		{"cluster_name", text, "ClusterName"},
		{"host_name", text, "HostName"},
		{"host_ip", text, "HostIP"},
		{"type", text, "Type"},
		{"level", text, "Level"},
		{"message", text, "Message"},
	}
	ingestMeta = []Column{
		{IngestOperatorColumn, text, "(ingest) operator that stored the row"},
		{IngestEndpointColumn, text, "(ingest) KubeArmor endpoint the row came from"},
	}
)

func columns(groups ...[]Column) []Column {
	var out []Column
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Alerts, Logs and Messages are the tables fed by KubeArmor's
// WatchAlerts, WatchLogs and WatchMessages streams.
var (
	Alerts = &Table{Name: AlertsTable, TimeColumn: 0, StreamColumns: workloadStream,
		Columns: columns(eventHead, alertPolicy, activity, alertVerdict, hashes, ingestMeta)}
	Logs = &Table{Name: LogsTable, TimeColumn: 0, StreamColumns: workloadStream,
		Columns: columns(eventHead, activity, logVerdict, hashes, ingestMeta)}
	Messages = &Table{Name: MessagesTable, TimeColumn: 0, StreamColumns: []string{"host_name"},
		Columns: columns(messageBody, ingestMeta)}
)

// workloadStream is the source of an alert or log (design §4): its host,
// namespace, pod and container.
var workloadStream = []string{"host_name", "namespace_name", "pod_name", "container_id"}

// KubeArmor returns the KubeArmor tables.
func KubeArmor() []*Table { return []*Table{Alerts, Logs, Messages} }
