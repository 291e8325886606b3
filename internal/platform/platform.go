// Package platform parses and compares container platforms: the OCI form
// a registry index carries (linux/arm/v7) and the spellings devices report
// (uname -m's x86_64, aarch64, armv7l, Debian's armhf). The rules follow
// containerd's platforms package, so a device is offered what its container
// runtime would pull.
package platform

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Platform is a normalised OS, architecture and variant. The zero variant
// stands for the architecture's default (arm64 v8, amd64 v1), except for
// arm, whose variant is always explicit (v7 when none is given).
type Platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant,omitempty"`
}

// String is the OCI form: os/arch[/variant].
func (p Platform) String() string {
	if p.Variant == "" {
		return p.OS + "/" + p.Architecture
	}
	return p.OS + "/" + p.Architecture + "/" + p.Variant
}

// IsZero reports whether p is the zero Platform.
func (p Platform) IsZero() bool { return p == Platform{} }

// ErrInvalid is wrapped by every Parse and Normalize failure.
var ErrInvalid = errors.New("invalid platform")

// Parse reads "os/arch[/variant]" or a bare architecture in any spelling it
// knows ("x86_64", "armv7l", "armhf"); a bare architecture means Linux.
func Parse(s string) (Platform, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	var p Platform
	switch len(parts) {
	case 1:
		p = Platform{OS: "linux", Architecture: parts[0]}
	case 2:
		p = Platform{OS: parts[0], Architecture: parts[1]}
	case 3:
		p = Platform{OS: parts[0], Architecture: parts[1], Variant: parts[2]}
	default:
		return Platform{}, fmt.Errorf("%w %q: want os/arch[/variant]", ErrInvalid, s)
	}
	return Normalize(p)
}

// MustParse is Parse for constants; it panics on a bad string.
func MustParse(s string) Platform {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Normalize lowercases p and rewrites its architecture and variant to the
// OCI spelling. It refuses unknown operating systems and architectures.
func Normalize(p Platform) (Platform, error) {
	os := strings.ToLower(p.OS)
	if os == "macos" {
		os = "darwin"
	}
	if !knownOS[os] {
		return Platform{}, fmt.Errorf("%w: unknown operating system %q", ErrInvalid, p.OS)
	}
	arch, variant, err := normalizeArch(strings.ToLower(p.Architecture), strings.ToLower(p.Variant))
	if err != nil {
		return Platform{}, err
	}
	return Platform{OS: os, Architecture: arch, Variant: variant}, nil
}

// unameArch maps uname -m and distribution spellings to an OCI architecture
// and the variant the spelling implies.
var unameArch = map[string][2]string{
	"x86_64": {"amd64", ""}, "x86-64": {"amd64", ""}, "x64": {"amd64", ""},
	"i386": {"386", ""}, "i486": {"386", ""}, "i586": {"386", ""}, "i686": {"386", ""}, "x86": {"386", ""},
	"aarch64": {"arm64", ""}, "armv8": {"arm64", ""}, "armv8b": {"arm64be", ""},
	"armhf": {"arm", "v7"}, "armel": {"arm", "v6"},
	"armv8l": {"arm", "v8"}, "armv7": {"arm", "v7"}, "armv7l": {"arm", "v7"}, "armv7hl": {"arm", "v7"},
	"armv6": {"arm", "v6"}, "armv6l": {"arm", "v6"}, "armv6hl": {"arm", "v6"},
	"armv5": {"arm", "v5"}, "armv5l": {"arm", "v5"}, "armv5tel": {"arm", "v5"}, "armv5tejl": {"arm", "v5"},
	"ppc64el": {"ppc64le", ""}, "powerpc64le": {"ppc64le", ""}, "mipsel": {"mipsle", ""},
}

var knownOS = setOf("aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios",
	"js", "linux", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos")

var knownArch = setOf("386", "amd64", "arm", "armbe", "arm64", "arm64be", "loong64", "mips",
	"mipsle", "mips64", "mips64le", "ppc", "ppc64", "ppc64le", "riscv", "riscv64", "s390",
	"s390x", "sparc", "sparc64", "wasm")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func normalizeArch(arch, variant string) (string, string, error) {
	if m, ok := unameArch[arch]; ok {
		if m[1] != "" && variant != "" && strings.TrimPrefix(variant, "v") != strings.TrimPrefix(m[1], "v") {
			return "", "", fmt.Errorf("%w: %s contradicts variant %q", ErrInvalid, arch, variant)
		}
		arch = m[0]
		if m[1] != "" {
			variant = m[1]
		}
	}
	if !knownArch[arch] {
		return "", "", fmt.Errorf("%w: unknown architecture %q", ErrInvalid, arch)
	}
	return normalizeVariant(arch, variant)
}

func normalizeVariant(arch, variant string) (string, string, error) {
	bad := fmt.Errorf("%w: variant %q of %s", ErrInvalid, variant, arch)
	switch arch {
	case "386":
		return arch, "", nil
	case "amd64":
		n, ok := level(variant, 1)
		if !ok || n < 1 || n > 4 {
			return "", "", bad
		}
		return arch, vName(n, 1), nil
	case "arm":
		n, ok := level(variant, 7)
		if !ok || n < 5 || n > 8 {
			return "", "", bad
		}
		return arch, "v" + strconv.Itoa(n), nil
	case "arm64":
		major, minor, ok := arm64Level(variant)
		if !ok {
			return "", "", bad
		}
		return arch, arm64Name(major, minor), nil
	}
	if variant != "" && !validVariant(variant) {
		return "", "", bad
	}
	return arch, variant, nil
}

// level reads "vN" or "N"; "" is def.
func level(variant string, def int) (int, bool) {
	if variant == "" {
		return def, true
	}
	return digits(strings.TrimPrefix(variant, "v"))
}

// digits reads a short run of decimal digits (no sign, no spaces).
func digits(s string) (int, bool) {
	if s == "" || len(s) > 2 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, true
}

func vName(n, def int) string {
	if n == def {
		return ""
	}
	return "v" + strconv.Itoa(n)
}

// arm64Level reads "", "8", "v8", "v8.N", "v9" or "v9.N" (N ≤ 9).
func arm64Level(variant string) (major, minor int, ok bool) {
	if variant == "" {
		return 8, 0, true
	}
	maj, min, hasMinor := strings.Cut(strings.TrimPrefix(variant, "v"), ".")
	major, ok = digits(maj)
	if !ok || (major != 8 && major != 9) {
		return 0, 0, false
	}
	if hasMinor {
		if minor, ok = digits(min); !ok || minor > 9 {
			return 0, 0, false
		}
	}
	return major, minor, true
}

func arm64Name(major, minor int) string {
	switch {
	case major == 8 && minor == 0:
		return ""
	case minor == 0:
		return "v" + strconv.Itoa(major)
	}
	return "v" + strconv.Itoa(major) + "." + strconv.Itoa(minor)
}

func validVariant(v string) bool {
	if len(v) > 16 {
		return false
	}
	for _, r := range v {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '.' && r != '_' && r != '-' {
			return false
		}
	}
	return true
}
