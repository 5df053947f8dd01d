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

// System returns the tables armorlake computes rather than stores.
func System() []*Table { return []*Table{IngestStatus} }

// All returns every table: the KubeArmor tables, then the system ones.
func All() []*Table { return append(KubeArmor(), System()...) }
