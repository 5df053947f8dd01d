package cmd

import (
	"fmt"
	"net"
)

// freeLoopbackURL returns an http URL on a loopback port free right now.
func freeLoopbackURL() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return "http://" + ln.Addr().String(), nil
}

func splitHostPort(addr string) (string, string, error) { return net.SplitHostPort(addr) }
