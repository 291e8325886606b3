package platform

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	cases := map[string]string{
		"linux/amd64":       "linux/amd64",
		"linux/amd64/v1":    "linux/amd64",
		"linux/amd64/v3":    "linux/amd64/v3",
		"x86_64":            "linux/amd64",
		"amd64":             "linux/amd64",
		"X86_64":            "linux/amd64",
		"i686":              "linux/386",
		"linux/386":         "linux/386",
		"aarch64":           "linux/arm64",
		"arm64":             "linux/arm64",
		"linux/arm64/v8":    "linux/arm64",
		"linux/arm64/8":     "linux/arm64",
		"linux/arm64/v8.0":  "linux/arm64",
		"linux/arm64/v8.2":  "linux/arm64/v8.2",
		"linux/arm64/v9.0":  "linux/arm64/v9",
		"linux/aarch64":     "linux/arm64",
		"linux/arm/v7":      "linux/arm/v7",
		"linux/arm":         "linux/arm/v7",
		"linux/arm/7":       "linux/arm/v7",
		"linux/arm/v6":      "linux/arm/v6",
		"armv7l":            "linux/arm/v7",
		"armv6l":            "linux/arm/v6",
		"armv5tel":          "linux/arm/v5",
		"armv8l":            "linux/arm/v8",
		"armhf":             "linux/arm/v7",
		"armel":             "linux/arm/v6",
		"linux/armv7l":      "linux/arm/v7",
		"linux/armv7l/v7":   "linux/arm/v7",
		"linux/ppc64le":     "linux/ppc64le",
		"linux/riscv64":     "linux/riscv64",
		"linux/s390x":       "linux/s390x",
		"windows/amd64":     "windows/amd64",
		"macos/arm64":       "darwin/arm64",
		" linux/arm64 ":     "linux/arm64",
		"linux/mips64le/x1": "linux/mips64le/x1",
	}
	for in, want := range cases {
		p, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if p.String() != want {
			t.Errorf("Parse(%q) = %s, want %s", in, p, want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{
		"", "linux", "linux/", "/amd64", "plan10/amd64", "linux/z80", "linux/arm/v4",
		"linux/arm/v9", "linux/arm64/v7", "linux/arm64/v8.10", "linux/amd64/v5",
		"linux/armv7l/v6", "linux/arm/+7", "linux/arm/v 7", "linux/arm64/v8/x",
		"linux/ppc64le/UPPER!", "linux/riscv64/" + "aaaaaaaaaaaaaaaaa",
	} {
		if p, err := Parse(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %v, %v; want ErrInvalid", in, p, err)
		}
	}
}

func TestMatches(t *testing.T) {
	cases := []struct {
		device, offered string
		want            bool
	}{
		{"linux/amd64", "linux/amd64", true},
		{"x86_64", "linux/386", true},
		{"linux/amd64", "linux/amd64/v2", false},
		{"linux/amd64/v3", "linux/amd64/v2", true},
		{"linux/amd64/v3", "linux/amd64", true},
		{"linux/amd64", "linux/arm64", false},
		{"linux/386", "linux/amd64", false},
		{"aarch64", "linux/arm64/v8", true},
		{"linux/arm64/v8", "linux/arm64", true},
		{"linux/arm64", "linux/arm64/v8.2", false},
		{"linux/arm64/v8.2", "linux/arm64/v8.1", true},
		{"linux/arm64/v9", "linux/arm64/v8.5", true},
		{"linux/arm64/v9", "linux/arm64/v8.6", false},
		{"linux/arm64/v9.4", "linux/arm64/v8.9", true},
		{"linux/arm64/v8", "linux/arm64/v9", false},
		{"linux/arm64", "linux/arm/v7", true},
		{"linux/arm64", "linux/arm/v8", true},
		{"linux/arm64", "linux/amd64", false},
		{"armv7l", "linux/arm/v7", true},
		{"armv7l", "linux/arm/v6", true},
		{"armv7l", "linux/arm/v5", true},
		{"armv7l", "linux/arm/v8", false},
		{"armv6l", "linux/arm/v7", false},
		{"armhf", "linux/arm", true},
		{"armv7l", "linux/arm64", false},
		{"linux/amd64", "windows/amd64", false},
		{"linux/riscv64", "linux/riscv64", true},
		{"linux/mips64le/x1", "linux/mips64le", false},
	}
	for _, c := range cases {
		if got := Matches(MustParse(c.device), MustParse(c.offered)); got != c.want {
			t.Errorf("Matches(%s, %s) = %v, want %v", c.device, c.offered, got, c.want)
		}
	}
}

func TestMatchesRefusesInvalid(t *testing.T) {
	if Matches(Platform{}, Platform{}) {
		t.Error("zero platforms match")
	}
	if Matches(MustParse("linux/amd64"), Platform{OS: "linux", Architecture: "z80"}) {
		t.Error("an unknown architecture matches")
	}
}

func TestBest(t *testing.T) {
	index := []Platform{
		MustParse("linux/arm/v6"), MustParse("linux/arm/v7"), MustParse("linux/arm64"),
		MustParse("linux/386"), MustParse("linux/amd64"),
	}
	cases := map[string]string{
		"armv7l":         "linux/arm/v7",
		"armv6l":         "linux/arm/v6",
		"aarch64":        "linux/arm64",
		"x86_64":         "linux/amd64",
		"i686":           "linux/386",
		"linux/amd64/v3": "linux/amd64",
	}
	for device, want := range cases {
		i, ok := Best(MustParse(device), index)
		if !ok || index[i].String() != want {
			t.Errorf("Best(%s) = %d %v, want %s", device, i, ok, want)
		}
	}
	if i, ok := Best(MustParse("linux/arm64"), index[:2]); !ok || index[i].String() != "linux/arm/v7" {
		t.Errorf("arm64 on a 32-bit-only index = %d %v, want linux/arm/v7", i, ok)
	}
	if _, ok := Best(MustParse("linux/s390x"), index); ok {
		t.Error("s390x found a platform in an index without one")
	}
}
