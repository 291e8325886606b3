package cost

import (
	"github.com/airlock-iot/airlock/internal/platform"
	"github.com/airlock-iot/airlock/internal/registry"
)

// Pick is the platform image of imgs a device of devicePlatform ("linux/arm64",
// or an architecture such as "aarch64") pulls, as a runtime picks it. When
// the device's platform is unknown or fits none, the largest image is
// taken: an estimate should not undercount. ok is false when imgs is empty.
func Pick(devicePlatform string, imgs []registry.Image) (registry.Image, bool) {
	if len(imgs) == 0 {
		return registry.Image{}, false
	}
	if p, err := platform.Parse(devicePlatform); err == nil && devicePlatform != "" {
		offered := make([]platform.Platform, len(imgs))
		for i, img := range imgs {
			offered[i] = img.Platform
		}
		if i, ok := platform.Best(p, offered); ok {
			return imgs[i], true
		}
	}
	largest := imgs[0]
	for _, img := range imgs[1:] {
		if Size(img) > Size(largest) {
			largest = img
		}
	}
	return largest, true
}

// DeviceDownload is the bytes a device pulls to move from previous (the
// platform images of the content it runs; nil when unknown) to target.
// Unknown previous content counts every blob; unknown target content is
// zero bytes and known false.
func DeviceDownload(devicePlatform string, target, previous []registry.Image) (bytes int64, known bool) {
	img, ok := Pick(devicePlatform, target)
	if !ok {
		return 0, false
	}
	var have Blobs
	if prev, ok := Pick(devicePlatform, previous); ok {
		have = BlobsOf(prev)
	}
	return Download(img, have), true
}
