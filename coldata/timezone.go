package coldata

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/armorlake/armorlake/sqlerr"
)

var zoneCache sync.Map // string → *time.Location

// posixOffsetRE matches POSIX-style zone names such as "GMT-05:30", which
// pgjdbc sends for custom JVM zones. POSIX counts hours west of Greenwich,
// so GMT-05:30 is five and a half hours ahead of UTC.
var posixOffsetRE = regexp.MustCompile(`^(?i)(?:UTC|GMT)([+-])([0-9]{1,2})(?::([0-9]{2}))?$`)

// LoadTimeZone resolves a TimeZone value: an IANA zone name, UTC, GMT,
// or a POSIX-style UTC/GMT offset. It returns the location and the
// canonical spelling.
func LoadTimeZone(v string) (*time.Location, string, error) {
	name := strings.TrimSpace(v)
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location), name, nil
	}
	switch strings.ToUpper(name) {
	case "UTC", "ETC/UTC", "Z", "ZULU", "UCT":
		return time.UTC, "UTC", nil
	case "GMT":
		return time.UTC, "GMT", nil
	}
	if m := posixOffsetRE.FindStringSubmatch(name); m != nil {
		h, _ := strconv.Atoi(m[2])
		mins := 0
		if m[3] != "" {
			mins, _ = strconv.Atoi(m[3])
		}
		if h > 15 || mins > 59 {
			return nil, "", sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v)
		}
		off := h*3600 + mins*60
		if m[1] == "+" {
			off = -off
		}
		loc := time.FixedZone(name, off)
		zoneCache.Store(name, loc)
		return loc, name, nil
	}
	// LoadLocation also resolves "Local" and "" (time.Local and UTC),
	// which are not zone names to a client.
	if name == "" || strings.EqualFold(name, "local") || !validZoneName(name) {
		return nil, "", sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, "", sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v)
	}
	zoneCache.Store(name, loc)
	return loc, name, nil
}

func validZoneName(name string) bool {
	if len(name) > 64 || strings.Contains(name, "..") || name[0] == '/' {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/_+-", c)) {
			return false
		}
	}
	return true
}
