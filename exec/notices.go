package exec

import (
	"context"
	"sync"
)

// Notices collects the notices a statement raises while it runs (partial
// results naming what is missing), for the wire layer to send before the
// statement's completion.
type Notices struct {
	mu   sync.Mutex
	list []Notice
}

// Notice is one notice: a SQLSTATE (class 01, warning) and a message.
type Notice struct {
	Code, Message string
}

// Add records a notice.
func (n *Notices) Add(code, msg string) {
	n.mu.Lock()
	n.list = append(n.list, Notice{Code: code, Message: msg})
	n.mu.Unlock()
}

// Take returns the notices recorded so far and forgets them.
func (n *Notices) Take() []Notice {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.list
	n.list = nil
	return out
}

type noticesKey struct{}

// WithNotices returns ctx whose statement records notices into n.
func WithNotices(ctx context.Context, n *Notices) context.Context {
	return context.WithValue(ctx, noticesKey{}, n)
}

// NoticesFrom returns the notices collector of ctx, or nil.
func NoticesFrom(ctx context.Context) *Notices {
	n, _ := ctx.Value(noticesKey{}).(*Notices)
	return n
}

// PartialNotice is the SQLSTATE of a partial-results notice: warning.
const PartialNotice = "01000"
