package platform

import "testing"

// FuzzParse checks that whatever Parse accepts is already normal: printing
// and parsing it again gives the same platform, and a device matches it.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"linux/amd64", "linux/arm/v7", "linux/arm64/v8", "linux/arm64/v9.3", "x86_64",
		"aarch64", "armv7l", "armv6l", "armhf", "i686", "linux/amd64/v3", "windows/amd64",
		"linux/arm/5", "linux/armv7l/7", "macos/arm64", "linux/riscv64/rva23", "linux//",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(p.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %s, which does not parse: %v", s, p, err)
		}
		if again != p {
			t.Fatalf("Parse(%q) = %s, then %s", s, p, again)
		}
		if n, err := Normalize(p); err != nil || n != p {
			t.Fatalf("Normalize(%s) = %s, %v", p, n, err)
		}
		if !Matches(p, p) {
			t.Fatalf("%s does not match itself", p)
		}
	})
}
