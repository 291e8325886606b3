package webhook

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/google/go-cmp/cmp"
)

const (
	d1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	d2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// ghcrBody is a package event; ghcrBody("package", `"action":"published"`, …)
// adds members to it.
func ghcrBody(key string, members ...string) string {
	return `{` + strings.Join(members, ",") + `,"` + key + `":{"name":"Tools/CLI","package_type":"CONTAINER","owner":{"login":"Acme"},
		"package_version":{"name":"` + d1 + `","container_metadata":{"tag":{"name":"v1"}}}}}`
}

// decodePushCase is one payload that must decode to pushes and nothing ignored.
type decodePushCase struct {
	name   string
	source string
	h      http.Header
	body   string
	want   []string // Ref.String of each push
	ids    []string // DeliveryID of each push, when checked
}

// decodePushCases covers each registry's push payloads, quirks included.
var decodePushCases = []decodePushCase{
	{"ghcr lowercases owner and package, and keeps the / in its name", "ghcr",
		header("X-GitHub-Event", "package", "X-GitHub-Delivery", "abc"),
		ghcrBody("package", `"action":"published"`),
		[]string{"ghcr.io/acme/tools/cli:v1@" + d1}, []string{"abc"}},
	{"ghcr registry_package event, digest from the version name", "",
		header("X-GitHub-Event", "registry_package"),
		ghcrBody("registry_package", `"action":"updated"`),
		[]string{"ghcr.io/acme/tools/cli:v1@" + d1}, nil},
	{"dockerhub with a float time and a string count", "",
		nil,
		`{"push_data":{"pushed_at":1.417566161e+09,"tag":"v1"},"repository":{"repo_name":"acme/app","comment_count":"3","star_count":"x"}}`,
		[]string{"docker.io/acme/app:v1"}, nil},
	{"harbor index push: one push per tagged resource", "harbor",
		nil,
		`{"type":"PUSH_ARTIFACT","event_data":{"repository":{"namespace":"proj","name":"team/app"},"resources":[
				{"tag":"v1","digest":"` + d1 + `","resource_url":"harbor.example.com/proj/team/app:v1"},
				{"tag":"` + d2 + `","digest":"` + d2 + `","resource_url":"harbor.example.com/proj/team/app@` + d2 + `"},
				{"tag":"","digest":"` + d2 + `","resource_url":"harbor.example.com/proj/team/app@` + d2 + `"},
				{"tag":"latest","digest":"` + d1 + `","resource_url":"harbor.example.com/proj/team/app:latest"}]}}`,
		[]string{"harbor.example.com/proj/team/app:v1@" + d1, "harbor.example.com/proj/team/app:latest@" + d1}, nil},
	{"harbor CloudEvents push", "",
		header("Content-Type", "application/cloudevents+json"),
		`{"specversion":"1.0","id":"ce-1","type":"harbor.artifact.pushed","time":"2023-03-06T06:08:43Z","operator":"ci",
			  "data":{"repository":{"namespace":"library","name":"busybox"},"resources":[{"tag":"1.36","digest":"` + d1 + `","resource_url":"harbor.dev/library/busybox:1.36"}]}}`,
		[]string{"harbor.dev/library/busybox:1.36@" + d1}, []string{"ce-1"}},
	{"quay updated_tags as an object", "quay",
		nil,
		`{"docker_url":"quay.io/ns/app","updated_tags":{"v2":"0f1e","latest":"0f1e"}}`,
		[]string{"quay.io/ns/app:latest", "quay.io/ns/app:v2"}, nil},
	{"quay without docker_url: repository is namespace/name", "quay",
		nil,
		`{"repository":"ns/app","namespace":"ns","updated_tags":["v1"]}`,
		[]string{"quay.io/ns/app:v1"}, nil},
	{"quay without docker_url: bare repository name", "quay",
		nil,
		`{"repository":"app","namespace":"ns","updated_tags":["v1"]}`,
		[]string{"quay.io/ns/app:v1"}, nil},
	{"quay self-hosted", "",
		nil,
		`{"docker_url":"quay.example.com:8443/ns/app","updated_tags":["v1"]}`,
		[]string{"quay.example.com:8443/ns/app:v1"}, nil},
	{"distribution v3: several pushes among other events, each its own id", "",
		header("Content-Type", "application/vnd.docker.distribution.events.v2+json; charset=utf-8"),
		`{"events":[
				{"id":"1","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"acme/app","digest":"` + d1 + `","tag":"v1-amd64"},"request":{"host":"Registry.Example.com:5000"}},
				{"id":"2","action":"push","target":{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","repository":"acme/app","digest":"` + d2 + `"},"request":{"host":"registry.example.com:5000"}},
				{"id":"3","action":"mount","target":{"mediaType":"application/octet-stream","repository":"acme/app","digest":"` + d2 + `"},"request":{"host":"registry.example.com:5000"}},
				{"id":"4","action":"push","target":{"mediaType":"application/vnd.oci.image.index.v1+json","repository":"acme/app","digest":"` + d2 + `","tag":"v1"},"request":{"host":"registry.example.com:5000"}}]}`,
		[]string{"registry.example.com:5000/acme/app:v1-amd64@" + d1, "registry.example.com:5000/acme/app:v1@" + d2}, []string{"1", "4"}},
	{"distribution names Docker Hub's legacy host", "distribution",
		nil,
		`{"events":[{"action":"push","target":{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","repository":"redis","tag":"7"},"request":{"host":"index.docker.io"}}]}`,
		[]string{"docker.io/library/redis:7"}, nil},
	{"generic with an uppercase tag and no digest", "",
		nil,
		`{"image":"iotistic/agent:V2"}`,
		[]string{"docker.io/iotistic/agent:V2"}, nil},
}

func TestDecodePushes(t *testing.T) {
	for _, tt := range decodePushCases {
		d, err := Decode(tt.source, tt.h, []byte(tt.body))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		var refs, ids []string
		for _, p := range d.Pushes {
			refs = append(refs, p.Ref.String())
			ids = append(ids, p.DeliveryID)
		}
		if diff := cmp.Diff(tt.want, refs); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		if tt.ids != nil && !slices.Equal(tt.ids, ids) {
			t.Errorf("%s: delivery ids %q, want %q", tt.name, ids, tt.ids)
		}
		if d.Ignored != "" {
			t.Errorf("%s: Ignored = %q beside pushes", tt.name, d.Ignored)
		}
	}
}

func TestDecodeTimes(t *testing.T) {
	tests := []struct {
		pushedAt string
		want     time.Time
	}{
		{`1417566161`, time.Unix(1417566161, 0)},
		{`1.417566161e+09`, time.Unix(1417566161, 0)},
		{`1417566161.5`, time.Unix(1417566161, 5e8)},
		{`"1417566161"`, time.Unix(1417566161, 0)},
		{`"2014-12-03T00:22:41Z"`, time.Unix(1417566161, 0)},
		{`"2014-12-02T16:22:41-08:00"`, time.Unix(1417566161, 0)},
		{`0`, time.Time{}},
		{`-5`, time.Time{}},
		{`1e300`, time.Time{}},
		{`null`, time.Time{}},
		{`"soon"`, time.Time{}},
		{`{"a":1}`, time.Time{}},
		{`"0001-01-01T00:00:00Z"`, time.Time{}},
	}
	for _, tt := range tests {
		body := `{"push_data":{"tag":"v1","pushed_at":` + tt.pushedAt + `},"repository":{"repo_name":"acme/app"}}`
		d, err := Decode("dockerhub", nil, []byte(body))
		if err != nil {
			t.Errorf("pushed_at %s: %v", tt.pushedAt, err)
			continue
		}
		if got := d.Pushes[0].PushedAt; !got.Equal(tt.want) {
			t.Errorf("pushed_at %s = %v, want %v", tt.pushedAt, got, tt.want)
		}
	}
}

func TestDecodeIgnored(t *testing.T) {
	tests := []struct {
		name   string
		source string
		h      http.Header
		body   string
		want   string // in Ignored
	}{
		{"GitHub ping on hook creation", "", header("X-GitHub-Event", "ping"), `{"zen":"Keep it logically awesome.","hook_id":1}`, `"ping" event`},
		{"GitHub event of another kind", "ghcr", header("X-GitHub-Event", "push"), `{}`, `"push" event`},
		{"ghcr per-architecture manifest", "ghcr", nil,
			`{"action":"published","package":{"name":"app","package_type":"CONTAINER","owner":{"login":"acme"},"package_version":{"name":"` + d1 + `","container_metadata":{"tag":{"name":"","digest":"` + d1 + `"}}}}}`,
			"untagged"},
		{"ghcr npm package", "ghcr", nil, `{"action":"published","package":{"name":"lib","package_type":"npm","owner":{"login":"acme"}}}`, `"npm" is not a container`},
		{"ghcr unknown action", "ghcr", nil, ghcrBody("package", `"action":"deleted"`), `"deleted"`},
		{"harbor pull", "harbor", nil, `{"type":"PULL_ARTIFACT","event_data":{}}`, `"PULL_ARTIFACT"`},
		{"harbor delete", "", nil, `{"type":"DELETE_ARTIFACT","event_data":{}}`, `"DELETE_ARTIFACT"`},
		{"harbor push by digest only", "harbor", nil,
			`{"type":"PUSH_ARTIFACT","event_data":{"repository":{"namespace":"p","name":"a"},"resources":[{"tag":"` + d1 + `","digest":"` + d1 + `","resource_url":"h.io/p/a@` + d1 + `"}]}}`,
			"no tagged artifact among 1 resources"},
		{"quay without tags", "quay", nil, `{"docker_url":"quay.io/ns/app","updated_tags":[]}`, "no updated tags"},
		{"distribution without events", "distribution", nil, `{"events":[]}`, "among 0 events"},
		{"distribution pulls and deletes", "distribution", nil,
			`{"events":[{"action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","tag":"v1"}},{"action":"delete","target":{}},{"action":"pull","target":{}}]}`,
			"delete event, pull event"},
		{"acr push without a tag", "acr", nil,
			`{"id":"x","action":"push","target":{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","repository":"app","digest":"` + d1 + `"},"request":{"host":"r.azurecr.io"}}`,
			"untagged manifest push"},
		{"acr delete", "", nil, `{"action":"delete","target":{"repository":"app","digest":"` + d1 + `"},"request":{"host":"r.azurecr.io"}}`, "delete event"},
		{"acr helm chart", "acr", nil, `{"action":"chart_push","target":{"name":"chart","tag":"1.0"}}`, "chart_push event"},
	}
	for _, tt := range tests {
		d, err := Decode(tt.source, tt.h, []byte(tt.body))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(d.Pushes) != 0 || !strings.Contains(d.Ignored, tt.want) {
			t.Errorf("%s: pushes %v, Ignored %q; want none and %q", tt.name, d.Pushes, d.Ignored, tt.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		source string
		body   string
		want   string // in the message
	}{
		{"empty body", "", ``, "malformed JSON"},
		{"truncated JSON", "", `{"image":`, "malformed JSON"},
		{"not an object", "", `[1,2]`, "JSON object"},
		{"unknown shape", "docker-registry", `{"hello":"world"}`, "unrecognised webhook payload"},
		{"null", "", `null`, "unrecognised webhook payload"},
		{"dockerhub without tag", "dockerhub", `{"push_data":{},"repository":{"repo_name":"redis"}}`, "push_data.tag"},
		{"dockerhub without repository", "", `{"push_data":{"tag":"v1"},"repository":{}}`, "repository.repo_name"},
		{"dockerhub uppercase name", "dockerhub", `{"push_data":{"tag":"v1"},"repository":{"repo_name":"Acme/App"}}`, "lowercase"},
		{"dockerhub bad tag", "dockerhub", `{"push_data":{"tag":"-v1"},"repository":{"repo_name":"redis"}}`, "invalid tag"},
		{"dockerhub tag of the wrong type", "dockerhub", `{"push_data":{"tag":5},"repository":{"repo_name":"redis"}}`, `"push_data.tag" has the wrong type`},
		{"dockerhub tag sneaked into the name", "dockerhub", `{"push_data":{"tag":"v1"},"repository":{"repo_name":"redis:evil"}}`, "not a valid repository path"},
		{"ghcr without package", "ghcr", `{"action":"published"}`, "no package"},
		{"ghcr without owner", "ghcr", `{"action":"published","package":{"name":"app","package_type":"container","package_version":{"container_metadata":{"tag":{"name":"v1"}}}}}`, "owner"},
		{"ghcr bad digest", "ghcr", `{"action":"published","package":{"name":"app","package_type":"container","owner":{"login":"a"},"package_version":{"container_metadata":{"tag":{"name":"v1","digest":"sha256:abc"}}}}}`, "invalid digest"},
		{"harbor without type", "harbor", `{"event_data":{}}`, "no event type"},
		{"harbor push without data", "harbor", `{"type":"PUSH_ARTIFACT"}`, "no event data"},
		{"harbor resource without url", "harbor", `{"type":"PUSH_ARTIFACT","event_data":{"repository":{"namespace":"p","name":"a"},"resources":[{"tag":"v1"}]}}`, "no registry host"},
		{"quay updated_tags of the wrong type", "quay", `{"docker_url":"quay.io/ns/app","updated_tags":5}`, "updated_tags must be"},
		{"quay bad tag", "quay", `{"docker_url":"quay.io/ns/app","updated_tags":[""]}`, "invalid tag"},
		{"distribution events of the wrong type", "distribution", `{"events":{}}`, `"events" has the wrong type`},
		{"acr without action", "acr", `{"target":{"repository":"app","tag":"v1"}}`, "no action"},
		{"generic without image", "generic", `{}`, "no image"},
		{"generic without tag", "", `{"image":"registry.example.com/acme/app@` + d1 + `"}`, "has no tag"},
		{"generic uppercase", "generic", `{"image":"acme/App:v1"}`, "lowercase"},
		{"generic uppercase host", "generic", `{"image":"Registry.Example.com/app:v1"}`, "lowercase"},
		{"generic garbage", "generic", `{"image":"a b c"}`, "invalid image reference"},
	}
	for _, tt := range tests {
		_, err := Decode(tt.source, nil, []byte(tt.body))
		var e *airlock.Error
		if !errors.As(err, &e) || e.Code != airlock.EBADREQUEST || !strings.Contains(e.Message, tt.want) {
			t.Errorf("%s: error %v, want %s with %q", tt.name, err, airlock.EBADREQUEST, tt.want)
		}
	}
}

// A Distribution envelope read whole with events it cannot read reports
// them apart, beside the pushes it could read, rather than failing.
func TestDecodeBadEvents(t *testing.T) {
	const push = `{"id":"ok","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"app","tag":"v1"},"request":{"host":"r.example.com"}}`
	tests := []struct {
		name  string
		event string
		want  string
	}{
		{"without host", `{"id":"e1","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"app","tag":"v1"}}`, "no registry host"},
		{"host docker would misread", `{"id":"e1","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"app","tag":"v1"},"request":{"host":"registry"}}`, "needs a dot or a port"},
		{"host with an underscore", `{"id":"e1","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"app","tag":"v1"},"request":{"host":"foo_bar:5210"}}`, "not a valid host"},
		{"without action", `{"id":"e1"}`, `"e1" has no action`},
		{"of the wrong type", `{"id":"e1","action":5}`, `"action" has the wrong type`},
	}
	for _, tt := range tests {
		d, err := Decode("distribution", nil, []byte(`{"events":[`+tt.event+`,`+push+`]}`))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(d.Bad) != 1 || d.Bad[0].Index != 0 || !strings.Contains(d.Bad[0].Message, tt.want) || len(d.Pushes) != 1 {
			t.Errorf("%s: bad %+v, pushes %d; want one bad event with %q and one push", tt.name, d.Bad, len(d.Pushes), tt.want)
		}
	}
}

func TestDecodeUnknownSource(t *testing.T) {
	_, err := Decode("gitlab", nil, []byte(`{"image":"redis:7"}`))
	if airlock.ErrorCode(err) != airlock.ENOTFOUND {
		t.Errorf("error = %v, want %s", err, airlock.ENOTFOUND)
	}
}

func TestSourcesHaveDecoders(t *testing.T) {
	if len(Sources) != len(decoders) {
		t.Errorf("%d sources, %d decoders", len(Sources), len(decoders))
	}
	for _, s := range Sources {
		if decoders[s] == nil {
			t.Errorf("no decoder for %q", s)
		}
	}
}
