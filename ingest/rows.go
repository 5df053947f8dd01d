package ingest

import (
	"time"
	"unicode/utf8"

	"github.com/armorlake/armorlake/coldata"
	pb "github.com/kubearmor/KubeArmor/protobuf"
)

// The row mapping: one KubeArmor event becomes one row of schema.Alerts,
// schema.Logs or schema.Messages, its columns appended in the table's
// order (design §2). The functions allocate nothing on the common path:
// strings go straight into the batch's byte arenas.
//
// Every string is stored as sent ("" stays ""), except that invalid UTF-8
// is repaired, each invalid byte becoming U+FFFD; the Append functions
// return how many strings they repaired.
//
// The ingester appends rows with the unexported appendAlert, appendLog and
// appendMessage, which copy text as is, and repairs a whole batch at once
// before storing it (RepairText): one pass over each column's bytes costs
// far less than one UTF-8 check per value.

// AppendAlert appends a to b, whose Vecs must have schema.Alerts' types.
func AppendAlert(b *coldata.Batch, a *pb.Alert, operatorID, endpoint string) (repaired int) {
	row := b.Len
	return appendAlert(b, a, operatorID, endpoint) + RepairText(b, row)
}

// AppendLog appends l to b, whose Vecs must have schema.Logs' types.
func AppendLog(b *coldata.Batch, l *pb.Log, operatorID, endpoint string) (repaired int) {
	row := b.Len
	return appendLog(b, l, operatorID, endpoint) + RepairText(b, row)
}

// AppendMessage appends m to b, whose Vecs must have schema.Messages'
// types.
func AppendMessage(b *coldata.Batch, m *pb.Message, operatorID, endpoint string) (repaired int) {
	row := b.Len
	return appendMessage(b, m, operatorID, endpoint) + RepairText(b, row)
}

// appendAlert is AppendAlert without the repair of text columns: it
// returns the repairs made in jsonb (which are needed to escape it).
func appendAlert(b *coldata.Batch, a *pb.Alert, operatorID, endpoint string) (repaired int) {
	w := rowWriter{vecs: b.Vecs}
	w.ts(a.UpdatedTime, a.Timestamp)
	w.int(a.Timestamp)
	w.text(a.ClusterName)
	w.text(a.HostName)
	w.text(a.NodeID)
	w.text(a.NamespaceName)
	w.owner(a.Owner)
	w.text(a.PodName)
	w.text(a.Labels)
	w.text(a.ContainerID)
	w.text(a.ContainerName)
	w.text(a.ContainerImage)
	w.int(int64(a.HostPPID))
	w.int(int64(a.HostPID))
	w.int(int64(a.PPID))
	w.int(int64(a.PID))
	w.int(int64(a.UID))
	w.text(a.UserName)
	w.text(a.ParentProcessName)
	w.text(a.ProcessName)
	w.text(a.Cwd)
	w.text(a.TTY)
	w.exec(a.ExecEvent)
	w.text(a.PolicyName)
	w.severity(a.Severity)
	w.text(a.Tags)
	w.textArray(a.ATags)
	w.text(a.Message)
	w.text(a.Type)
	w.text(a.Source)
	w.text(a.Operation)
	w.text(a.Resource)
	w.text(a.Data)
	w.jsonb(a.EventData)
	w.text(a.Enforcer)
	w.text(a.Action)
	w.text(a.Result)
	w.int(int64(a.MaxAlertsPerSec))
	w.int(int64(a.DroppingAlertsInterval))
	w.text(a.KubeArmorVersion)
	w.text(a.ProcessHash)
	w.text(a.ParentHash)
	w.text(a.ResourceHash)
	w.text(a.HashAlgo)
	w.text(operatorID)
	w.text(endpoint)
	b.Len++
	return w.repaired
}

func appendLog(b *coldata.Batch, l *pb.Log, operatorID, endpoint string) (repaired int) {
	w := rowWriter{vecs: b.Vecs}
	w.ts(l.UpdatedTime, l.Timestamp)
	w.int(l.Timestamp)
	w.text(l.ClusterName)
	w.text(l.HostName)
	w.text(l.NodeID)
	w.text(l.NamespaceName)
	w.owner(l.Owner)
	w.text(l.PodName)
	w.text(l.Labels)
	w.text(l.ContainerID)
	w.text(l.ContainerName)
	w.text(l.ContainerImage)
	w.int(int64(l.HostPPID))
	w.int(int64(l.HostPID))
	w.int(int64(l.PPID))
	w.int(int64(l.PID))
	w.int(int64(l.UID))
	w.text(l.UserName)
	w.text(l.ParentProcessName)
	w.text(l.ProcessName)
	w.text(l.Cwd)
	w.text(l.TTY)
	w.exec(l.ExecEvent)
	w.text(l.Type)
	w.text(l.Source)
	w.text(l.Operation)
	w.text(l.Resource)
	w.text(l.Data)
	w.jsonb(l.EventData)
	w.text(l.Result)
	w.text(l.ProcessHash)
	w.text(l.ParentHash)
	w.text(l.ResourceHash)
	w.text(l.HashAlgo)
	w.text(operatorID)
	w.text(endpoint)
	b.Len++
	return w.repaired
}

func appendMessage(b *coldata.Batch, m *pb.Message, operatorID, endpoint string) (repaired int) {
	w := rowWriter{vecs: b.Vecs}
	w.ts(m.UpdatedTime, m.Timestamp)
	w.int(m.Timestamp)
	w.text(m.ClusterName)
	w.text(m.HostName)
	w.text(m.HostIP)
	w.text(m.Type)
	w.text(m.Level)
	w.text(m.Message)
	w.text(operatorID)
	w.text(endpoint)
	b.Len++
	return w.repaired
}

// rowWriter appends one row, column by column, in table order.
type rowWriter struct {
	vecs     []*coldata.Vec
	col      int
	repaired int
}

func (w *rowWriter) next() *coldata.Vec {
	v := w.vecs[w.col]
	w.col++
	return v
}

func (w *rowWriter) int(n int64) {
	v := w.next()
	v.Int64 = append(v.Int64, n)
}

func (w *rowWriter) ts(updated string, seconds int64) {
	w.int(eventTime(updated, seconds))
}

// eventTime is the ts of an event in µs: UpdatedTime, or Timestamp's
// whole seconds when UpdatedTime is missing or malformed.
func eventTime(updated string, seconds int64) int64 {
	if us, ok := parseUpdatedTime(updated); ok {
		return us
	}
	return seconds * 1_000_000
}

func (w *rowWriter) severity(s string) {
	v := w.next()
	if n, ok := parseInt32(s); ok {
		v.Int64 = append(v.Int64, int64(n))
		return
	}
	v.AppendNull()
}

func (w *rowWriter) text(s string) {
	v := w.next()
	bs := &v.Bytes
	if len(bs.Offs) == 0 {
		bs.Offs = append(bs.Offs, 0)
	}
	bs.Data = append(bs.Data, s...)
	bs.Offs = append(bs.Offs, int32(len(bs.Data)))
}

func (w *rowWriter) owner(o *pb.Podowner) {
	// The getters return "" on a nil Owner.
	w.text(o.GetRef())
	w.text(o.GetName())
	w.text(o.GetNamespace())
}

func (w *rowWriter) exec(e *pb.ExecEvent) {
	w.text(e.GetExecID())
	w.text(e.GetExecutableName())
}

func (w *rowWriter) textArray(elems []string) {
	v := w.next()
	bs := &v.Bytes
	if len(bs.Offs) == 0 {
		bs.Offs = append(bs.Offs, 0)
	}
	if len(v.Arr) == 0 {
		v.Arr = append(v.Arr, 0)
	}
	for _, e := range elems {
		bs.Data = append(bs.Data, e...)
		bs.Offs = append(bs.Offs, int32(len(bs.Data)))
	}
	v.Arr = append(v.Arr, int32(bs.Len()))
}

func (w *rowWriter) jsonb(m map[string]string) {
	v := w.next()
	bs := &v.Bytes
	if len(bs.Offs) == 0 {
		bs.Offs = append(bs.Offs, 0)
	}
	bs.Data = w.appendJSONB(bs.Data, m)
	bs.Offs = append(bs.Offs, int32(len(bs.Data)))
}

// RepairText replaces each byte of invalid UTF-8 with U+FFFD in the text
// and text[] values of rows [from, b.Len) of b, and returns how many
// values it changed. jsonb is not touched: the row writers build it valid.
func RepairText(b *coldata.Batch, from int) (repaired int) {
	if from >= b.Len {
		return 0
	}
	for _, v := range b.Vecs {
		switch v.Type {
		case coldata.Text:
			repaired += repairValues(&v.Bytes, from)
		case coldata.TextArray:
			repaired += repairValues(&v.Bytes, int(v.Arr[from]))
		}
	}
	return repaired
}

// repairValues repairs values [from, bs.Len()) of bs. The common case,
// all valid, is one pass over the bytes: if they are valid UTF-8 as a
// whole and no value starts with a continuation byte, every value is
// valid on its own (a value cut inside a character would leave the next
// one starting with a continuation byte, or the whole invalid).
func repairValues(bs *coldata.Bytes, from int) int {
	n := bs.Len()
	if from >= n {
		return 0
	}
	start := bs.Offs[from]
	if utf8.Valid(bs.Data[start:]) {
		ok := true
		for _, o := range bs.Offs[from+1 : n] {
			if int(o) < len(bs.Data) && bs.Data[o]&0xC0 == 0x80 {
				ok = false
				break
			}
		}
		if ok {
			return 0
		}
	}
	tail := append([]byte(nil), bs.Data[start:]...)
	offs := append([]int32(nil), bs.Offs[from:n+1]...)
	bs.Data = bs.Data[:start]
	repaired := 0
	for i := 0; i < n-from; i++ {
		val := tail[offs[i]-start : offs[i+1]-start]
		if utf8.Valid(val) {
			bs.Data = append(bs.Data, val...)
		} else {
			repaired++
			bs.Data = appendRepaired(bs.Data, string(val))
		}
		bs.Offs[from+i+1] = int32(len(bs.Data))
	}
	return repaired
}

func appendRepaired(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// appendJSONB appends m as PostgreSQL prints a jsonb object: keys ordered
// by length, then bytewise; ": " after keys and ", " between pairs; "{}"
// when empty. Equal text on both sides keeps comparisons against a real
// PostgreSQL exact.
func (w *rowWriter) appendJSONB(dst []byte, m map[string]string) []byte {
	if len(m) == 0 {
		return append(dst, "{}"...)
	}
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	sortJSONBKeys(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = w.appendJSONString(dst, k)
		dst = append(dst, ": "...)
		dst = w.appendJSONString(dst, m[k])
	}
	return append(dst, '}')
}

// sortJSONBKeys orders keys as jsonb stores them: shorter first, then by
// bytes. Insertion sort: EventData holds a handful of keys.
func sortJSONBKeys(keys []string) {
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && jsonbLess(keys[j], keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

func jsonbLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// appendJSONString appends s as a JSON string the way PostgreSQL's
// escape_json does: short escapes for \b \f \n \r \t " \, \u00xx for the
// other control characters, everything else (including non-ASCII) as is.
func (w *rowWriter) appendJSONString(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		w.repaired++
		s = string(appendRepaired(nil, s))
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, `\"`...)
		case '\\':
			dst = append(dst, `\\`...)
		case '\b':
			dst = append(dst, `\b`...)
		case '\f':
			dst = append(dst, `\f`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexLower[c>>4], hexLower[c&15])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const hexLower = "0123456789abcdef"

// parseInt32 parses an optionally signed decimal integer that fits in an
// int32, without allocating on failure as strconv does.
func parseInt32(s string) (int32, bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	if s == "" || len(s) > 10 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	if n < -1<<31 || n > 1<<31-1 {
		return 0, false
	}
	return int32(n), true
}

// parseUpdatedTime parses KubeArmor's UpdatedTime into µs since the Unix
// epoch. The layout KubeArmor sends, "2006-01-02T15:04:05.000000Z", takes
// a fast path; any other RFC 3339 time is parsed by the time package and
// truncated to µs. ok is false when s is empty or not RFC 3339.
func parseUpdatedTime(s string) (us int64, ok bool) {
	if len(s) == 27 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
		s[16] == ':' && s[19] == '.' && s[26] == 'Z' {
		year, ok1 := digits(s[0:4])
		month, ok2 := digits(s[5:7])
		day, ok3 := digits(s[8:10])
		hour, ok4 := digits(s[11:13])
		minute, ok5 := digits(s[14:16])
		sec, ok6 := digits(s[17:19])
		frac, ok7 := digits(s[20:26])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 &&
			month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, year) &&
			hour < 24 && minute < 60 && sec < 60 {
			days := daysFromCivil(year, month, day)
			return ((days*86400+hour*3600+minute*60+sec)*1_000_000 + frac), true
		}
		return 0, false
	}
	if s == "" {
		return 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, false
	}
	return t.UnixMicro(), true
}

func digits(s string) (int64, bool) {
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func daysIn(month, year int64) int64 {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic
// Gregorian date (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
