package releases

import (
	"testing"

	"github.com/airlock-iot/airlock/internal/release"
)

func TestMirrorReference(t *testing.T) {
	const d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, c := range []struct {
		r    release.Release
		want string
	}{
		{release.Release{Registry: "docker.io", Namespace: "library", Name: "redis", Tag: "7", Digest: d},
			"mirror.lan:5000/docker.io/library/redis:7@" + d},
		{release.Release{Registry: "10.0.0.5:5000", Name: "app", Tag: "1.0", Digest: d},
			"mirror.lan:5000/10.0.0.5-5000/app:1.0@" + d},
		{release.Release{Registry: "ghcr.io", Namespace: "acme/tools", Name: "agent", Tag: "2.0", Digest: d},
			"mirror.lan:5000/ghcr.io/acme/tools/agent:2.0@" + d},
	} {
		got, err := MirrorReference("mirror.lan:5000", c.r)
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.r.Repository(), got, err, c.want)
		}
	}
}
