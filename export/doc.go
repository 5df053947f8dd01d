// Package export writes the KubeArmor simulator's events to files instead
// of serving them, so that the very events an armorlake cluster ingests
// can be loaded into PostgreSQL, DuckDB or any tool that reads CSV or JSON
// lines, and the answers compared.
//
// Run drives a sim.Generator in count mode (the only mode whose events are
// a pure function of the configuration) and streams every event, in
// generation order, to one of two formats:
//
// # CSV: one file per table
//
// Config.Path is a directory that receives alerts.csv, logs.csv and
// messages.csv, each in PostgreSQL's CSV format, ready for
//
//	COPY alerts FROM '/path/alerts.csv' WITH (FORMAT csv, HEADER true)
//
// (or psql's \copy, or DuckDB's read_csv with the same options). The
// first line names the columns of schema.Alerts, schema.Logs and
// schema.Messages, in order; each further line is one row, mapped from its
// event by ingest.AppendAlert, AppendLog and AppendMessage exactly as an
// operator maps it, with ingest_operator "export" and ingest_endpoint "".
// Values are in PostgreSQL's text output format (coldata.AppendText;
// timestamptz in Config.TimeZone, UTC by default), separated by commas,
// lines ended by "\n". A NULL is an empty unquoted field. A value is
// enclosed in double quotes, its quotes doubled, when it is empty (so that
// "" stays an empty string, distinct from NULL), holds a comma, a quote, a
// CR or an LF, or is \. (PostgreSQL's end-of-data marker); only text,
// jsonb and text[] values can need it.
//
//	ts,timestamp,cluster_name,…,cwd,tty,…,severity,tags,atags,…,event_data,…
//	2026-11-01 06:00:00.123456+00,1793512800,staging,…,/,"",…,9,"MITRE,cryptominer","{MITRE,cryptominer}",…,{},…
//
// # JSONL: one event per line
//
// Config.Path is a file of one JSON object per line: the event as
// `karmor logs --json` prints it (encoding/json of the generated KubeArmor
// protobuf type: fields named as in the .proto, omitted when empty except
// PPID and UID), with one key added first, "table", naming the armorlake
// table the event belongs to: "alerts", "logs" or "messages". KubeArmor's
// own Type field cannot tell the three apart on its own (an alert's Type
// is "MatchedPolicy", "MatchedHostPolicy", … or "SystemEvent", a log's
// "ContainerLog" or "HostLog"), and the added key is ignored by readers of
// karmor's output, including encoding/json into the protobuf types.
// ReadJSONL reads the format back.
//
//	{"table":"logs","Timestamp":1793512800,"UpdatedTime":"2026-11-01T06:00:00.123456Z",…,"PPID":0,"UID":0,…}
//
// # Memory and speed
//
// Three goroutines overlap on two cores: the generator runs a few chunks
// of 1024 events ahead; the caller of Run maps events to rows (CSV) or
// encodes them (JSONL); a formatter turns full batches into CSV text and
// writes it. Rows are gathered per table into coldata batches of
// Config.BatchRows (default 8192), two per table, so memory is bounded by
// six batches and one batch's text, whatever the count. Files are written
// under a ".partial" name and renamed when complete: an interrupted export
// leaves no file that looks whole. Run reports progress every
// Config.ProgressEvery events (default 1<<20) and a summary at the end on
// Config.Logger.
package export
