package platform

// Matches reports whether a device of platform device can run an image
// built for offered. As containerd's platforms.Only does, a device runs its
// own architecture at its variant or any older one (arm/v7 runs v6 and v5,
// amd64/v3 runs v2 and v1, arm64/v9.x runs v8.{0..x+5}), an arm64 device
// also runs 32-bit arm up to v8, and an amd64 device runs 386.
func Matches(device, offered Platform) bool {
	return rank(device, offered) > 0
}

// Best returns the index of the platform in offered that device would
// pull, as a container runtime picks it: its own architecture at the
// closest variant before a compatible one. ok is false when none fits.
func Best(device Platform, offered []Platform) (i int, ok bool) {
	best, bestRank := -1, 0
	for j, o := range offered {
		if r := rank(device, o); r > bestRank {
			best, bestRank = j, r
		}
	}
	return best, best >= 0
}

// rank scores how well offered suits device: 0 means it cannot run it,
// higher is preferred (same architecture above a compatible one, newer
// variants above older).
func rank(device, offered Platform) int {
	d, err := Normalize(device)
	if err != nil {
		return 0
	}
	o, err := Normalize(offered)
	if err != nil || d.OS != o.OS {
		return 0
	}
	switch {
	case d.Architecture == o.Architecture:
		return sameArch(d.Architecture, d.Variant, o.Variant)
	case d.Architecture == "amd64" && o.Architecture == "386":
		return 1
	case d.Architecture == "arm64" && o.Architecture == "arm":
		return max(sameArch("arm", "v8", o.Variant)-100, 0)
	}
	return 0
}

// sameArch scores a variant of one architecture: 100 plus a level that
// grows with the variant, or 0 when the device's variant is older.
func sameArch(arch, device, offered string) int {
	switch arch {
	case "amd64", "arm":
		def := map[string]int{"amd64": 1, "arm": 7}[arch]
		dl, _ := level(device, def)
		ol, _ := level(offered, def)
		if ol > dl {
			return 0
		}
		return 100 + ol
	case "arm64":
		return arm64Rank(device, offered)
	}
	if device != offered {
		return 0
	}
	return 100
}

// arm64Rank: v9.x runs v9.{0..x} and v8.{0..min(x+5, 9)} (v9.0 forked
// from v8.5); v8.x runs v8.{0..x}.
func arm64Rank(device, offered string) int {
	dMaj, dMin, _ := arm64Level(device)
	oMaj, oMin, _ := arm64Level(offered)
	score := 100 + oMaj*10 + oMin
	switch {
	case oMaj == dMaj && oMin <= dMin:
		return score
	case oMaj == 8 && dMaj == 9 && oMin <= min(dMin+5, 9):
		return score
	}
	return 0
}
