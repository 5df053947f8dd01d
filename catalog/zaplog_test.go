package catalog

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.uber.org/zap"
)

func TestZapToSlog(t *testing.T) {
	var buf bytes.Buffer
	lg := zapToSlog(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})), nil)
	lg = lg.With(zap.String("member", "m1"))
	lg.Info("started")
	lg.Warn("slow apply", zap.Duration("took", 1))
	lg.Error("lost quorum", zap.Int("members", 3), zap.Error(errors.New("boom")))
	want := `level=ERROR msg="lost quorum" error=boom member=m1 members=3` + "\n"
	if buf.String() != want {
		t.Fatalf("info logger got\n%q\nwant\n%q", buf.String(), want)
	}

	buf.Reset()
	lg = zapToSlog(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), nil)
	lg.Named("raft").Info("started")
	if got := buf.String(); !strings.Contains(got, `level=DEBUG msg=started logger=raft etcd_level=info`) {
		t.Fatalf("debug logger got %q", got)
	}
}
