package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/apitest"
)

type importAnswer struct {
	Line   int    `json:"line"`
	UUID   string `json:"uuid"`
	APIKey string `json:"api_key"`
	Error  string `json:"error"`
	Field  string `json:"field"`
}

func importAnswers(t *testing.T, r apitest.Response) []importAnswer {
	t.Helper()
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("import: %d %v %.300s", r.Status, r.Header, r.Body)
	}
	var out []importAnswer
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		var a importAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("answer line %q: %v", sc.Text(), err)
		}
		out = append(out, a)
	}
	return out
}

// lines is the size of the import test: more than a chunk.
const lines = 2500

// importTestBody is 2,500 lines, good ones but for bad, by line number with
// the field each one's error names.
func importTestBody() (string, map[int]string) {
	var body strings.Builder
	bad := map[int]string{ // line → field of its error
		3:    "",
		10:   "uuid",
		2100: "uuid",
		2200: "target_state.apps.ui.image",
		2300: "uuid",
	}
	for n := 1; n <= lines; n++ {
		switch n {
		case 3:
			body.WriteString(`{"uuid": "broken"` + "\n")
		case 10:
			body.WriteString(`{"uuid": "-not a uuid"}` + "\n")
		case 2100:
			body.WriteString(`{"uuid": "imp-1"}` + "\n") // on line 1 already
		case 2200:
			body.WriteString(`{"uuid": "refused", "target_state": {"apps": {"ui": {"image": "portainer/portainer-ce:2"}}}}` + "\n")
		case 2300:
			body.WriteString(`{"uuid": "taken"}` + "\n")
		default:
			fmt.Fprintf(&body, `{"uuid": "imp-%d", "name": "n%d", "labels": {"site": "s%d"}, "platform": "linux/arm64",`+
				` "target_state": {"apps": {"agent": {"image": "iotistic/agent:v1"}}}}`+"\n", n, n, n%3)
		}
	}
	return body.String(), bad
}

// TestImportDevices imports more than a chunk with bad lines among good
// ones: each bad line is reported by number, every good one is made and
// its key works.
func TestImportDevices(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		newDevice(t, s, map[string]any{"uuid": "taken"})
		body, bad := importTestBody()
		if r := s.Do("POST", "/api/v1/devices/import", s.Token("viewer"), body); r.Status != 403 {
			t.Fatalf("a viewer imports: %d", r.Status)
		}
		answers := importAnswers(t, s.Admin("POST", "/api/v1/devices/import", body))
		if len(answers) != lines {
			t.Fatalf("%d answer lines for %d lines", len(answers), lines)
		}
		for i, a := range answers {
			n := i + 1
			field, isBad := bad[n]
			switch {
			case a.Line != n:
				t.Fatalf("answer %d is for line %d", n, a.Line)
			case isBad && (a.Error == "" || a.APIKey != "" || a.Field != field):
				t.Errorf("line %d should fail on %q: %+v", n, field, a)
			case !isBad && (a.Error != "" || a.UUID != fmt.Sprintf("imp-%d", n) || !strings.HasPrefix(a.APIKey, "dk_")):
				t.Errorf("line %d: %+v", n, a)
			}
		}
		var list struct{ Total int }
		s.Must(200, "GET", "/api/v1/devices?limit=1", nil).JSON(t, &list)
		if list.Total != lines-len(bad)+1 {
			t.Fatalf("%d devices after the import, want %d", list.Total, lines-len(bad)+1)
		}
		var events int
		if err := s.DB.QueryInt(context.Background(), &events, `SELECT COUNT(*) FROM events WHERE type = 'device.imported'`); err != nil || events != 2 {
			t.Fatalf("device.imported events: %d, %v; want one a chunk", events, err)
		}
		poll := s.Do("GET", targetPath("imp-2400"), answers[2399].APIKey, nil)
		if poll.Status != 200 || !strings.Contains(string(poll.Body), `"version":1,"apps":{"agent":{"image":"docker.io/iotistic/agent:v1"}}`) {
			t.Fatalf("an imported device polls: %d %s", poll.Status, poll.Body)
		}
	})
}

func TestImportBodyLimits(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		if r := s.Admin("POST", "/api/v1/devices/import", ""); r.Status != 200 || len(r.Body) != 0 {
			t.Fatalf("an empty import: %d %q", r.Status, r.Body)
		}
		huge := bytes.Repeat([]byte("\n"), 64<<20+1)
		if r := s.Admin("POST", "/api/v1/devices/import", huge); r.Status != 413 {
			t.Fatalf("a body over 64 MiB: %d %.200s", r.Status, r.Body)
		}
		long := `{"uuid": "x", "name": "` + strings.Repeat("a", 1<<20) + `"}`
		answers := importAnswers(t, s.Admin("POST", "/api/v1/devices/import", `{"uuid": "first"}`+"\n"+long+"\n"))
		if len(answers) != 2 || answers[0].UUID != "first" || answers[1].Line != 2 || answers[1].Error == "" {
			t.Fatalf("a line over 1 MiB: %+v", answers)
		}
	})
}

// An imported device keeps its platform, given or derived from its
// architecture; a platform that does not parse is its line's error.
func TestImportDevicePlatforms(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		body := `{"uuid": "p-1", "platform": "linux/arm/v7"}` + "\n" + `{"uuid": "p-2", "architecture": "aarch64"}` + "\n" +
			`{"uuid": "p-3", "platform": "linux/"}` + "\n"
		answers := importAnswers(t, s.Admin("POST", "/api/v1/devices/import", body))
		if len(answers) != 3 || answers[2].Error == "" || answers[2].Field != "platform" {
			t.Fatalf("answers: %+v", answers)
		}
		for uuid, want := range map[string]string{"p-1": "linux/arm/v7", "p-2": "linux/arm64"} {
			var d struct{ Platform string }
			s.Must(200, "GET", "/api/v1/devices/"+uuid, nil).JSON(t, &d)
			if d.Platform != want {
				t.Errorf("%s has platform %q, want %q", uuid, d.Platform, want)
			}
		}
	})
}
