package catalog

import (
	"context"
	"log/slog"
	"slices"
	"sync/atomic"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// etcd's server and client log through zap, chattily: the server logs
// every start-up step at info and every slow request at warn, the client
// warns on every retry while etcd is down. zapToSlog keeps armorlake quiet
// by default and on one logger: records at error and above reach the slog
// logger at slog.LevelError; everything else is dropped unless the logger
// has debug enabled, in which case it arrives at slog.LevelDebug carrying
// etcd's own level.
//
// Once *closing is true (nil: never), errors are demoted to debug too: a
// closing etcd server reports each listener it stops as a failure.
func zapToSlog(log *slog.Logger, closing *atomic.Bool) *zap.Logger {
	return zap.New(&slogCore{log: log, debug: log.Enabled(context.Background(), slog.LevelDebug), closing: closing})
}

type slogCore struct {
	log     *slog.Logger
	debug   bool
	closing *atomic.Bool
	fields  []zapcore.Field
}

var _ zapcore.Core = (*slogCore)(nil)

func (c *slogCore) Enabled(l zapcore.Level) bool { return c.isError(l) || c.debug }

func (c *slogCore) isError(l zapcore.Level) bool {
	return l >= zapcore.ErrorLevel && (c.closing == nil || !c.closing.Load())
}

func (c *slogCore) With(fields []zapcore.Field) zapcore.Core {
	return &slogCore{log: c.log, debug: c.debug, closing: c.closing, fields: append(slices.Clip(c.fields), fields...)}
}

func (c *slogCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *slogCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	level := slog.LevelDebug
	if c.isError(e.Level) {
		level = slog.LevelError
	}
	ctx := context.Background()
	if !c.log.Enabled(ctx, level) {
		return nil
	}
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range c.fields {
		f.AddTo(enc)
	}
	for _, f := range fields {
		f.AddTo(enc)
	}
	keys := make([]string, 0, len(enc.Fields))
	for k := range enc.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	attrs := make([]slog.Attr, 0, len(keys)+2)
	if e.LoggerName != "" {
		attrs = append(attrs, slog.String("logger", e.LoggerName))
	}
	if level == slog.LevelDebug {
		attrs = append(attrs, slog.String("etcd_level", e.Level.String()))
	}
	for _, k := range keys {
		attrs = append(attrs, slog.Any(k, enc.Fields[k]))
	}
	c.log.LogAttrs(ctx, level, e.Message, attrs...)
	return nil
}

func (c *slogCore) Sync() error { return nil }
