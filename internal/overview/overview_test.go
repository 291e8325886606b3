package overview

import (
	"reflect"
	"testing"
)

func TestClassify(t *testing.T) {
	const d1, d2 = "sha256:" + "1111111111111111111111111111111111111111111111111111111111111111",
		"sha256:" + "2222222222222222222222222222222222222222222222222222222222222222"
	latest := &Latest{ReleaseID: 3, Tag: "7.5-alpine"}
	pinned := &Latest{ReleaseID: 4, Tag: "7.5-alpine", Digest: d2}
	for _, c := range []struct {
		name   string
		app    App
		latest *Latest
		want   string
	}{
		{"on latest, short and full names", App{Target: "docker.io/library/redis:7.5-alpine", Current: "redis:7.5-alpine", Status: "running"}, latest, StateOnLatest},
		{"behind", App{Target: "redis:7.4-alpine", Current: "redis:7.4-alpine", Status: "running"}, latest, StateBehind},
		{"updating", App{Target: "redis:7.5-alpine", Current: "redis:7.4-alpine", Status: "running"}, latest, StateUpdating},
		{"not reported yet", App{Target: "redis:7.5-alpine"}, latest, StateUpdating},
		{"exited", App{Target: "redis:7.5-alpine", Current: "redis:7.5-alpine", Status: "exited"}, latest, StateFailing},
		{"unhealthy while updating", App{Target: "redis:7.5-alpine", Current: "redis:7.4-alpine", Status: "running", Health: "unhealthy"}, latest, StateFailing},
		{"no release known", App{Target: "redis:7.4-alpine", Current: "redis:7.4-alpine", Status: "running"}, nil, StateOnLatest},
		{"an older digest of the tag", App{Target: "redis:7.5-alpine@" + d1, Current: "redis:7.5-alpine", Digest: d1, Status: "running"}, pinned, StateBehind},
		{"the latest digest", App{Target: "redis:7.5-alpine@" + d2, Current: "redis:7.5-alpine", Digest: d2, Status: "running"}, pinned, StateOnLatest},
		{"a different digest than its target", App{Target: "redis:7.5-alpine@" + d2, Current: "redis:7.5-alpine", Digest: d1, Status: "running"}, pinned, StateUpdating},
	} {
		if got := Classify(c.app, c.latest); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestSummarise(t *testing.T) {
	apps := []App{
		{Repository: "docker.io/library/redis", Target: "redis:7.5-alpine", Current: "redis:7.5-alpine", Status: "running"},
		{Repository: "docker.io/library/redis", Target: "redis:7.4-alpine", Current: "redis:7.4-alpine", Status: "running"},
		{Repository: "docker.io/library/redis", Target: "redis:7.5-alpine", Current: "redis:7.4-alpine", Status: "running"},
		{Repository: "docker.io/library/nginx", Target: "nginx:1.27", Current: "nginx:1.27", Status: "failed"},
	}
	got := Summarise(apps, map[string]Latest{"docker.io/library/redis": {ReleaseID: 2, Tag: "7.5-alpine"}})
	want := []Image{
		{Repository: "docker.io/library/nginx", Devices: 1, Failing: 1},
		{Repository: "docker.io/library/redis", Latest: &Latest{ReleaseID: 2, Tag: "7.5-alpine"}, Devices: 3, OnLatest: 1, Updating: 1, Behind: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
