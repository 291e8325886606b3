package releases_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// releaseOf is the one release of repo:tag.
func (f fixture) releaseOf(repo, tag string) release {
	f.t.Helper()
	rels := f.releases("image=" + repo + "&tag=" + tag)
	if len(rels) != 1 {
		f.t.Fatalf("releases of %s:%s: %+v", repo, tag, rels)
	}
	return rels[0]
}

// check posts a CI check for release id as a ci token.
func (f fixture) check(ci string, id int64, name, status string) {
	f.t.Helper()
	path := fmt.Sprintf("/api/v1/releases/%d/checks", id)
	if r := f.s.Do("POST", path, ci, map[string]any{"name": name, "status": status,
		"url": "https://ci.example/1", "summary": name + " " + status}); r.Status != 204 {
		f.t.Fatalf("check %s: %d %s", status, r.Status, r.Body)
	}
}

// Issue 23: under a checks rule a release waits until its required check
// is posted success (by release id) and is then rolled out; a failure
// refuses it.
func TestChecksRuleWaitsForSuccessAndFailureRefuses(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := withResolver(t, dbURL, time.Hour) // only the check itself may release it
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/checked"
		f.s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "smoke tested", "image_pattern": repo,
			"kind": "checks", "required": []string{"smoke"}})
		f.approve(repo)
		f.device("gw", repo+":1.0")
		ci := f.s.Token("ci")
		ctx := context.Background()

		bad, err := reg.PushImage(ctx, "acme/checked", "2.0")
		pushed(t, reg, bad, err)
		rel := f.releaseOf(repo, "2.0")
		if rel.Status != "held" {
			t.Fatalf("before its check: %+v", rel)
		}
		f.check(ci, rel.ID, "smoke", "pending")
		f.stays("gw", repo+":1.0")
		f.check(ci, rel.ID, "smoke", "failure")
		eventually(t, 5*time.Second, "the failed release is refused", func() bool {
			return f.releaseOf(repo, "2.0").Status == "refused"
		})
		f.stays("gw", repo+":1.0")

		good, err := reg.PushImage(ctx, "acme/checked", "3.0")
		pushed(t, reg, good, err)
		rel = f.releaseOf(repo, "3.0")
		f.stays("gw", repo+":1.0")
		f.check(ci, rel.ID, "smoke", "success")
		pinned := repo + ":3.0@" + good
		eventually(t, 5*time.Second, "the checked release reaches gw", func() bool { return f.target("gw") == pinned })
		if r := f.s.Do("POST", "/api/v1/releases/999999/checks", ci, map[string]any{"name": "smoke",
			"status": "success"}); r.Status != 404 {
			t.Fatalf("unknown release: %d %s", r.Status, r.Body)
		}
	})
}

// Issue 23: an approval request for a release shows the checks of its
// digest, so that an approver sees what CI said.
func TestApprovalRequestShowsChecks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		f := withResolver(t, dbURL, time.Hour)
		reg := declaredRegistry(f)
		repo := reg.Host() + "/acme/reviewed"
		f.s.Must(201, "POST", "/api/v1/rules", map[string]any{"name": "reviewed", "image_pattern": repo,
			"kind": "approvals", "required": 1})
		f.s.Must(201, "POST", "/api/v1/images", map[string]any{"image_name": repo, "approval_scope": "release"})
		digest, err := reg.PushImage(context.Background(), "acme/reviewed", "2.0")
		pushed(t, reg, digest, err)
		// The push made a request, not a release: CI names the digest.
		if r := f.s.Do("POST", "/api/v1/releases/by-digest/"+digest+"/checks", f.s.Token("ci"), map[string]any{
			"name": "smoke", "status": "success", "summary": "smoke success"}); r.Status != 204 {
			t.Fatalf("check: %d %s", r.Status, r.Body)
		}
		var list struct {
			Items []struct {
				Digest string
				Checks map[string]struct{ Status, URL, Summary string }
			}
		}
		f.s.Must(200, "GET", "/api/v1/approval-requests?status=pending", nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Digest != digest {
			t.Fatalf("requests: %+v", list.Items)
		}
		if c := list.Items[0].Checks["smoke"]; c.Status != "success" || c.Summary != "smoke success" {
			t.Fatalf("the request's checks: %+v", list.Items[0].Checks)
		}
	})
}
