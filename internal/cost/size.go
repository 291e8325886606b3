// Package cost works out what a release weighs and what rolling it out
// costs: its compressed size per platform, the bytes each device will
// download given what it already has, the price of those bytes under
// label-matched cost rules, monthly sums, and the policy limits that hold
// an expensive rollout for an approver. It is pure: values in, values out.
//
// Sizes are the registry's compressed blob sizes. A gigabyte is 10^9
// bytes, as carriers bill it.
package cost

import (
	"math"

	"github.com/airlock-iot/airlock/internal/platform"
	"github.com/airlock-iot/airlock/internal/registry"
)

// GB is the number of bytes per_gb prices.
const GB = 1e9

// Size is the compressed bytes of one platform of a release: its config
// plus its layers, as the manifest lists them (size_bytes).
func Size(img registry.Image) int64 {
	n := add(0, img.Config.Size)
	for _, l := range img.Layers {
		n = add(n, l.Size)
	}
	return n
}

// PlatformSize is one platform of a release and its size_bytes.
type PlatformSize struct {
	Platform  platform.Platform `json:"platform"`
	Digest    string            `json:"digest"`
	SizeBytes int64             `json:"size_bytes"`
}

// Sizes lists the size of each platform of m, in the manifest's order.
func Sizes(m registry.Manifest) []PlatformSize {
	out := make([]PlatformSize, len(m.Platforms))
	for i, img := range m.Platforms {
		out[i] = PlatformSize{Platform: img.Platform, Digest: img.Digest, SizeBytes: Size(img)}
	}
	return out
}

// Blobs is a set of blob digests (config and layers) a device already has.
type Blobs map[string]struct{}

// BlobsOf is the set of blobs of the images a device runs.
func BlobsOf(imgs ...registry.Image) Blobs {
	b := Blobs{}
	for _, img := range imgs {
		if img.Config.Digest != "" {
			b[img.Config.Digest] = struct{}{}
		}
		for _, l := range img.Layers {
			b[l.Digest] = struct{}{}
		}
	}
	return b
}

// Download is the bytes a device pulls to run img when it has the blobs
// in have: the config and layers it lacks, each blob once (a runtime
// fetches a blob listed twice only once). A nil have means what the device
// has is unknown, and everything counts.
func Download(img registry.Image, have Blobs) int64 {
	var n int64
	seen := Blobs{}
	blobs := append([]registry.Descriptor{img.Config}, img.Layers...)
	for _, b := range blobs {
		if _, dup := seen[b.Digest]; dup && b.Digest != "" {
			continue
		}
		seen[b.Digest] = struct{}{}
		if _, ok := have[b.Digest]; ok && b.Digest != "" {
			continue
		}
		n = add(n, b.Size)
	}
	return n
}

// add sums byte counts, ignoring negative sizes (a malformed manifest) and
// saturating instead of wrapping.
func add(a, b int64) int64 {
	if b <= 0 {
		return a
	}
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
