package schema

import "github.com/armorlake/armorlake/coldata"

// IngestStatusTable is the name of the ingest status table.
const IngestStatusTable = "ingest_status"

// IngestStatus lists, per operator and KubeArmor endpoint, what the
// ingester has received, stored and dropped, and whether it is connected.
// It is virtual: each operator answers from its live counters.
var IngestStatus = &Table{Name: IngestStatusTable, TimeColumn: -1, Virtual: true, Columns: []Column{
	{"operator", text, "operator ID"},
	{"endpoint", text, "KubeArmor endpoint (host:port)"},
	{"connected", coldata.Bool, "every stream of the endpoint is open"},
	{"received", int8, "events read from the streams"},
	{"stored", int8, "events the store accepted"},
	{"dropped", int8, "events lost to a full buffer, a failed flush or a malformed message"},
	{"invalid", int8, "messages that were not valid protobuf (also in dropped)"},
	{"reconnects", int8, "streams reopened after they ended or failed"},
	{"repaired", int8, "strings whose invalid UTF-8 was replaced"},
	{"empty_streams", int8, "streams that ended at once without an event (a rejected filter)"},
	{"last_event", tstz, "when the last event was received (NULL if none)"},
	{"lag_seconds", coldata.Float64, "receipt time minus event time of the last event (NULL if none)"},
	{"last_error", text, "the last stream failure (NULL if none)"},
}}

// StoragePartitionsTable is the name of the storage partitions table.
const StoragePartitionsTable = "storage_partitions"

// StoragePartitions lists, per operator, the time partitions its store
// holds of each table: what retention drops and what a time range prunes.
// Virtual: each operator answers from its in-memory counters.
var StoragePartitions = &Table{Name: StoragePartitionsTable, TimeColumn: -1, Virtual: true, Columns: []Column{
	{"operator", text, "operator ID"},
	{"table_name", text, "the stored table"},
	{"partition_start", tstz, "start of the partition (inclusive)"},
	{"partition_end", tstz, "end of the partition (exclusive)"},
	{"min_ts", tstz, "smallest ts stored in the partition"},
	{"max_ts", tstz, "largest ts stored in the partition"},
	{"rows", int8, "rows stored"},
	{"blocks", int8, "blocks stored"},
	{"bytes", int8, "encoded bytes of its keys and values, before Pebble's own compression"},
}}

// System returns the tables armorlake computes rather than stores.
func System() []*Table { return []*Table{IngestStatus, StoragePartitions} }

// All returns every table: the KubeArmor tables, then the system ones.
func All() []*Table { return append(KubeArmor(), System()...) }
