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

// Column lists in the order the tables present them. ts comes first because
// it is the column every query filters on.
var alertColumns = []Column{
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
	{"policy_name", text, "PolicyName"},
	{"severity", int4, "Severity (string 1..10; NULL when empty)"},
	{"tags", text, "Tags"},
	{"atags", tarr, "ATags"},
	{"message", text, "Message"},
	{"type", text, "Type"},
	{"source", text, "Source"},
	{"operation", text, "Operation"},
	{"resource", text, "Resource"},
	{"data", text, "Data"},
	{"event_data", jsonb, "EventData"},
	{"enforcer", text, "Enforcer"},
	{"action", text, "Action"},
	{"result", text, "Result"},
	{"max_alerts_per_sec", int4, "MaxAlertsPerSec"},
	{"dropping_alerts_interval", int4, "DroppingAlertsInterval"},
	{"kubearmor_version", text, "KubeArmorVersion"},
	{"process_hash", text, "ProcessHash"},
	{"parent_hash", text, "ParentHash"},
	{"resource_hash", text, "ResourceHash"},
	{"hash_algo", text, "HashAlgo"},
	{IngestOperatorColumn, text, "(ingest) operator that stored the row"},
	{IngestEndpointColumn, text, "(ingest) KubeArmor endpoint the row came from"},
}

var logColumns = []Column{
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
	{"type", text, "Type"},
	{"source", text, "Source"},
	{"operation", text, "Operation"},
	{"resource", text, "Resource"},
	{"data", text, "Data"},
	{"event_data", jsonb, "EventData"},
	{"result", text, "Result"},
	{"process_hash", text, "ProcessHash"},
	{"parent_hash", text, "ParentHash"},
	{"resource_hash", text, "ResourceHash"},
	{"hash_algo", text, "HashAlgo"},
	{IngestOperatorColumn, text, "(ingest) operator that stored the row"},
	{IngestEndpointColumn, text, "(ingest) KubeArmor endpoint the row came from"},
}

var messageColumns = []Column{
	{"ts", tstz, "UpdatedTime (µs), else Timestamp"},
	{"timestamp", int8, "Timestamp (unix seconds)"},
	{"cluster_name", text, "ClusterName"},
	{"host_name", text, "HostName"},
	{"host_ip", text, "HostIP"},
	{"type", text, "Type"},
	{"level", text, "Level"},
	{"message", text, "Message"},
	{IngestOperatorColumn, text, "(ingest) operator that stored the row"},
	{IngestEndpointColumn, text, "(ingest) KubeArmor endpoint the row came from"},
}

// Alerts, Logs and Messages are the tables fed by KubeArmor's
// WatchAlerts, WatchLogs and WatchMessages streams.
var (
	Alerts   = &Table{Name: AlertsTable, Columns: alertColumns, TimeColumn: 0}
	Logs     = &Table{Name: LogsTable, Columns: logColumns, TimeColumn: 0}
	Messages = &Table{Name: MessagesTable, Columns: messageColumns, TimeColumn: 0}
)

// KubeArmor returns the KubeArmor tables.
func KubeArmor() []*Table { return []*Table{Alerts, Logs, Messages} }
