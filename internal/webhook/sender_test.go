package webhook

import (
	"testing"

	"github.com/airlock-iot/airlock/internal/imageref"
)

func TestVouch(t *testing.T) {
	reg := Sender{RegistryID: 3, Host: "127.0.0.1:5210", Aliases: []string{"localhost:5210", "[::1]:5210"}}
	push := func(source, host string) Push {
		return Push{Source: source, Ref: imageref.Ref{Registry: host, Namespace: "acme", Name: "app", Tag: "v1"}}
	}
	tests := []struct {
		name     string
		from     Sender
		p        Push
		declared bool
		want     Trust
		host     string
	}{
		{"registry secret, its host", reg, push("distribution", "127.0.0.1:5210"), true, Trusted, "127.0.0.1:5210"},
		{"registry secret, an alias becomes the host", reg, push("distribution", "[::1]:5210"), true, Trusted, "127.0.0.1:5210"},
		{"registry secret, another host", reg, push("distribution", "docker.io"), false, Mismatch, "docker.io"},
		{"registry secret, another declared host", reg, push("harbor", "harbor.example.com"), true, Mismatch, "harbor.example.com"},
		{"global, Docker Hub", Sender{}, push("dockerhub", "docker.io"), false, Trusted, "docker.io"},
		{"global, GHCR", Sender{}, push("ghcr", "ghcr.io"), false, Trusted, "ghcr.io"},
		{"global, generic", Sender{}, push("generic", "registry.example.com"), false, Trusted, "registry.example.com"},
		{"global, a declared host", Sender{}, push("ghcr", "ghcr.io"), true, Unvouched, "ghcr.io"},
		{"global, Distribution names its host from the pusher", Sender{}, push("distribution", "docker.io"), false, Unvouched, "docker.io"},
		{"global, Harbor likewise", Sender{}, push("harbor", "h.example.com"), false, Unvouched, "h.example.com"},
	}
	for _, tt := range tests {
		got, trust := Vouch(tt.from, tt.p, tt.declared)
		if trust != tt.want || got.Ref.Registry != tt.host {
			t.Errorf("%s: trust %d, host %s; want %d, %s", tt.name, trust, got.Ref.Registry, tt.want, tt.host)
		}
	}
}

func TestAnswers2xx(t *testing.T) {
	reg := Sender{RegistryID: 1, Host: "r.example.com"}
	for _, tt := range []struct {
		from   Sender
		source string
		want   bool
	}{{reg, "harbor", true}, {reg, "dockerhub", true}, {Sender{}, "distribution", true}, {Sender{}, "dockerhub", false}, {Sender{}, "harbor", false}} {
		if got := Answers2xx(tt.from, tt.source); got != tt.want {
			t.Errorf("Answers2xx(%s, %s) = %v", tt.from.Key(), tt.source, got)
		}
	}
}

func TestSenderKey(t *testing.T) {
	if got := (Sender{RegistryID: 12, Host: "r.example.com"}).Key(); got != "registry/12" {
		t.Errorf("Key = %q", got)
	}
	if got := (Sender{}).Key(); got != "global" {
		t.Errorf("Key = %q", got)
	}
}

func TestCandidates(t *testing.T) {
	got := Candidates(header("Authorization", "Bearer s1"), map[string][]string{"token": {"s0"}})
	if len(got) != 3 || got[0] != "s0" || got[1] != "Bearer s1" || got[2] != "s1" {
		t.Errorf("Candidates = %q", got)
	}
	if got := Candidates(header(), nil); len(got) != 0 {
		t.Errorf("Candidates of nothing = %q", got)
	}
}
