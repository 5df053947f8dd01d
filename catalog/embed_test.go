package catalog

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"
)

func TestEmbedConfigValidates(t *testing.T) {
	for _, cfg := range []EmbedConfig{
		{},
		{DataDir: "d", ClientURL: "https://127.0.0.1:2379"},
		{DataDir: "d", ClientURL: "127.0.0.1:2379"},
		{DataDir: "d", PeerURL: "http://127.0.0.1"},
	} {
		cfg.EnsureDefaults()
		if err := cfg.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil", cfg)
		}
	}
	cfg := EmbedConfig{DataDir: "d"}
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Name != DefaultEmbedName || cfg.ClientURL != DefaultEmbedClientURL || cfg.PeerURL != DefaultEmbedPeerURL {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestStartEmbeddedPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := StartEmbedded(ctx, EmbedConfig{
		DataDir:   filepath.Join(t.TempDir(), "etcd"),
		ClientURL: "http://" + l.Addr().String(),
		PeerURL:   "http://" + freeAddr(),
	})
	if err == nil {
		e.Close()
		t.Fatal("StartEmbedded on a taken client port succeeded")
	}
	t.Log(err)
}
