package cost

import (
	"fmt"
	"testing"

	"github.com/airlock-iot/airlock/internal/platform"
	"github.com/airlock-iot/airlock/internal/registry"
)

func image(p string, config int64, layers ...registry.Descriptor) registry.Image {
	return registry.Image{Platform: platform.MustParse(p), Config: registry.Descriptor{Digest: fmt.Sprintf("sha256:c%s-%d", p, config), Size: config},
		Layers: layers}
}

func layer(d string, n int64) registry.Descriptor { return registry.Descriptor{Digest: d, Size: n} }

func TestPickChoosesTheDevicesPlatformElseTheLargest(t *testing.T) {
	amd := image("linux/amd64", 10, layer("a", 100))
	arm := image("linux/arm64", 10, layer("b", 300))
	imgs := []registry.Image{amd, arm}
	for _, c := range []struct {
		device string
		want   registry.Image
	}{{"linux/amd64", amd}, {"x86_64", amd}, {"aarch64", arm}, {"", arm}, {"linux/s390x", arm}, {"not a platform!", arm}} {
		got, ok := Pick(c.device, imgs)
		if !ok || got.Platform != c.want.Platform {
			t.Errorf("Pick(%q) = %v, %v; want %v", c.device, got.Platform, ok, c.want.Platform)
		}
	}
	if _, ok := Pick("linux/amd64", nil); ok {
		t.Error("Pick of no images is ok")
	}
}

func TestDeviceDownloadCountsOnlyWhatThePreviousImageLacks(t *testing.T) {
	shared := layer("base", 1000)
	prev := []registry.Image{image("linux/amd64", 10, shared, layer("old", 50))}
	next := []registry.Image{image("linux/amd64", 20, shared, layer("new", 70))}
	if n, ok := DeviceDownload("linux/amd64", next, prev); !ok || n != 90 {
		t.Errorf("with the previous image known: %d, %v; want 90 (config and the new layer)", n, ok)
	}
	if n, ok := DeviceDownload("linux/amd64", next, nil); !ok || n != 1090 {
		t.Errorf("with the previous image unknown: %d, %v; want the whole 1090", n, ok)
	}
	if n, ok := DeviceDownload("linux/amd64", nil, prev); ok || n != 0 {
		t.Errorf("with the target unknown: %d, %v; want 0, false", n, ok)
	}
}
