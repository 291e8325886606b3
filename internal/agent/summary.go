package agent

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/imageref"
)

// Summary counts the fleet's apps by image and status.
type Summary struct {
	Devices int
	Apps    []AppCount // by image, then status
	Errors  int64      // failed requests so far
}

// AppCount is how many devices run Image in Status. A device with no app
// yet counts once with Image "" and StatusWaiting; one whose key the server
// refuses, with StatusRejected.
type AppCount struct {
	Image   string // normalised, e.g. docker.io/library/redis:7.5-alpine
	Status  string
	Devices int
}

// Summary counts what every device runs now.
func (f *Fleet) Summary() Summary {
	counts := map[AppCount]int{}
	for _, d := range f.devices {
		d.mu.Lock()
		switch {
		case d.rejected:
			counts[AppCount{Status: StatusRejected}]++
		case len(d.apps) == 0:
			counts[AppCount{Status: StatusWaiting}]++
		}
		for _, a := range d.apps {
			if !d.rejected {
				counts[AppCount{Image: a.Image, Status: a.Status}]++
			}
		}
		d.mu.Unlock()
	}
	s := Summary{Devices: len(f.devices), Errors: f.errors.Load()}
	for k, n := range counts {
		k.Devices = n
		s.Apps = append(s.Apps, k)
	}
	slices.SortFunc(s.Apps, func(a, b AppCount) int {
		return cmp.Or(cmp.Compare(a.Image, b.Image), cmp.Compare(a.Status, b.Status))
	})
	return s
}

// Count returns how many devices run image (in any spelling: "redis:7.5"
// and "docker.io/library/redis:7.5" are the same) in status.
func (s Summary) Count(image, status string) int {
	if ref, err := imageref.Parse(image); err == nil {
		image = ref.String()
	}
	for _, a := range s.Apps {
		if a.Image == image && a.Status == status {
			return a.Devices
		}
	}
	return 0
}

// String is the one-line summary: "50 devices │ redis:7.5-alpine running 48 · redis:7.6-alpine pulling 2".
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d devices │", s.Devices)
	for i, a := range s.Apps {
		if i > 0 {
			b.WriteString(" ·")
		}
		if a.Image != "" {
			fmt.Fprintf(&b, " %s", short(a.Image))
		}
		fmt.Fprintf(&b, " %s %d", a.Status, a.Devices)
	}
	if s.Errors > 0 {
		fmt.Fprintf(&b, " │ %d failed requests", s.Errors)
	}
	return b.String()
}

// short is the familiar form of an image: redis:7.5-alpine.
func short(image string) string {
	ref, err := imageref.Parse(image)
	if err != nil {
		return image
	}
	s := ref.Familiar()
	if ref.Tag != "" {
		s += ":" + ref.Tag
	}
	if ref.Digest != "" {
		s += "@" + ref.Digest
	}
	return s
}

// liveLine shows the summary: rewritten in place on a terminal, as a new
// line every few seconds (when it changed) otherwise.
type liveLine struct {
	out   io.Writer
	tty   bool
	every time.Duration
	last  string
}

func newLiveLine(out io.Writer) *liveLine {
	l := &liveLine{out: out, every: 5 * time.Second}
	if f, ok := out.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			l.tty, l.every = true, 250*time.Millisecond
		}
	}
	return l
}

func (l *liveLine) update(line string) {
	if line == l.last {
		return
	}
	l.last = line
	if l.tty {
		fmt.Fprint(l.out, "\r\033[K"+line)
		return
	}
	fmt.Fprintln(l.out, time.Now().Format("15:04:05"), line)
}

// final writes the last summary and ends the line.
func (l *liveLine) final(line string) {
	if l.tty {
		fmt.Fprint(l.out, "\r\033[K"+line+"\n")
		return
	}
	fmt.Fprintln(l.out, time.Now().Format("15:04:05"), line)
}
