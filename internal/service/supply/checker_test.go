package supply_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/registrytest"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service/approvals"
	"github.com/airlock-iot/airlock/internal/service/supply"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// fixture is a scanner's report from internal/verify's testdata, about digest.
func fixture(t *testing.T, name, digest string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../verify/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "sha256:9c2e4f0b7a3d8e1f6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f", digest)
	return []byte(strings.Replace(s, `"RepoDigests": []`, `"RepoDigests": ["x@`+digest+`"]`, 1))
}

type env struct {
	t       *testing.T
	db      *store.DB
	reg     *registrytest.Registry
	checker *supply.Checker
}

func newEnv(t *testing.T, db *store.DB) *env {
	reg := registrytest.Start(t, registrytest.Options{})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &env{t: t, db: db, reg: reg, checker: &supply.Checker{DB: db, Clients: registry.NewPool(registry.Config{}), Log: log}}
}

func (e *env) rule(r rules.Rule) {
	e.t.Helper()
	if _, err := (supply.Rules{DB: e.db}).Create(context.Background(), "admin", r); err != nil {
		e.t.Fatal(err)
	}
}

// push pushes acme/app:tag and returns the release it makes.
func (e *env) push(tag string) release.Release {
	e.t.Helper()
	digest, err := e.reg.PushImage(context.Background(), "acme/app", tag)
	if err != nil {
		e.t.Fatal(err)
	}
	return release.Release{Registry: e.reg.Host(), Namespace: "acme", Name: "app", Tag: tag, Digest: digest,
		PushedAt: e.db.Now(), Pinned: true, Status: release.StatusReady}
}

// expect evaluates r and checks the outcome's status and, for a refusal, the rule.
func (e *env) expect(r release.Release, status, rule string) rules.Outcome {
	e.t.Helper()
	out, err := e.checker.Evaluate(context.Background(), r)
	if err != nil {
		e.t.Fatal(err)
	}
	if out.Status != status || out.Rule != rule {
		e.t.Fatalf("outcome %s (rule %q), want %s (rule %q): %+v", out.Status, out.Rule, status, rule, out.Verdicts)
	}
	return out
}

func TestSignatureRuleAgainstARealRegistry(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		trusted, untrusted := registrytest.NewSigner(t), registrytest.NewSigner(t)
		e.rule(rules.Rule{Name: "signed", ImagePattern: e.reg.Host() + "/acme/*", Kind: rules.KindSignature,
			Signature: &rules.Signature{Keys: []string{trusted.PEM}}})
		rel := e.push("1.0.0")
		out := e.expect(rel, rules.Held, "")
		if out.Verdicts[0].WaitingFor != "signature" {
			t.Errorf("unsigned: %+v", out.Verdicts[0])
		}
		ctx := context.Background()
		if _, err := e.reg.PushSignedSignature(ctx, "acme/app", rel.Digest, untrusted.Sign); err != nil {
			t.Fatal(err)
		}
		out = e.expect(rel, rules.Held, "")
		if !strings.Contains(out.Verdicts[0].Reason, "not signed by any trusted key") {
			t.Errorf("signed with an untrusted key: %+v", out.Verdicts[0])
		}
		if _, err := e.reg.PushSignedSignature(ctx, "acme/app", rel.Digest, trusted.Sign); err != nil {
			t.Fatal(err)
		}
		e.expect(rel, rules.Allowed, "")
		other := e.push("1.0.1")
		e.expect(other, rules.Held, "") // a signature names one digest
	})
}

func TestScanTagAndLabelRulesAgainstARealRegistry(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		all := e.reg.Host() + "/acme/*"
		e.rule(rules.Rule{Name: "no critical", ImagePattern: all, Kind: rules.KindVulnerabilities,
			Vulnerabilities: &rules.Vulnerabilities{MaxSeverity: rules.SeverityHigh, RequireReport: true}})
		e.rule(rules.Rule{Name: "no latest", ImagePattern: all, Kind: rules.KindTag, Tag: &rules.Tag{Deny: []string{"latest"}}})
		e.rule(rules.Rule{Name: "has source", ImagePattern: all, Kind: rules.KindLabels, Mode: rules.ModeWarn,
			Labels: &rules.Labels{Require: []rules.LabelRequirement{{Key: "org.opencontainers.image.source"}}}})
		rel := e.push("2.0.0")
		e.expect(rel, rules.Held, "")
		reports := supply.Reports{DB: db}
		ctx := context.Background()
		if _, err := reports.PostReport(ctx, "trivy", fixture(t, "trivy.json", rel.Digest)); err != nil {
			t.Fatal(err)
		}
		out := e.expect(rel, rules.Held, "")
		if out.Verdicts[0].WaitingFor != "clean scan report" || !strings.Contains(out.Verdicts[0].Reason, "critical") {
			t.Errorf("a CRITICAL finding: %+v", out.Verdicts[0])
		}
		time.Sleep(10 * time.Millisecond) // the clean report is the newer one
		if _, err := reports.PostReport(ctx, "trivy", fixture(t, "trivy-clean.json", rel.Digest)); err != nil {
			t.Fatal(err)
		}
		out = e.expect(rel, rules.Allowed, "")
		if warn := out.Verdicts[2]; warn.Mode != rules.ModeWarn || warn.Result != rules.Fail {
			t.Errorf("the warn rule's verdict: %+v", warn)
		}
		e.expect(e.push("latest"), rules.Refused, "no latest")
		n, err := db.QueryStrings(ctx, `SELECT payload FROM events WHERE type = 'release.rule_warning'`)
		if err != nil || len(n) == 0 || !strings.Contains(n[0], "has source") {
			t.Errorf("warn rule events: %v, %v", n, err)
		}
	})
}

// TestApprovalsAndChecksAsEvidence: an approvals rule waits for its
// request's approvals and a checks rule for its checks, then both pass.
func TestApprovalsAndChecksAsEvidence(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		all := e.reg.Host() + "/acme/*"
		e.rule(rules.Rule{Name: "two", ImagePattern: all, Kind: rules.KindApprovals, Approvals: &rules.Approvals{Required: 2}})
		e.rule(rules.Rule{Name: "smoke", ImagePattern: all, Kind: rules.KindChecks, Checks: &rules.Checks{Required: []string{"smoke"}}})
		rel := e.push("4.0.0")
		out := e.expect(rel, rules.Held, "")
		if out.Verdicts[0].WaitingFor != "2 approvals" {
			t.Errorf("no request yet: %+v", out.Verdicts[0])
		}
		ctx := context.Background()
		var req airlock.ApprovalRequest
		err := db.InTx(ctx, "", func(tx *store.Tx) (err error) {
			req, _, err = approvals.Raise(ctx, tx, airlock.ApprovalRequest{Registry: rel.Registry, Namespace: "acme",
				ImageName: "app", Tag: rel.Tag, Digest: rel.Digest, Pusher: "alice"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"bob", "carol"} {
			err := db.InTx(ctx, who, func(tx *store.Tx) error {
				_, err := approvals.Decide(ctx, tx, req.ID, approvals.By{Name: who, Role: "approver"}, "approve", "", false)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := (supply.Reports{DB: db}).PostCheck(ctx, "ci", rel.Digest, supply.CheckInput{Name: "smoke", Status: "failure"}); err != nil {
			t.Fatal(err)
		}
		e.expect(rel, rules.Refused, "smoke")
		if err := (supply.Reports{DB: db}).PostCheck(ctx, "ci", rel.Digest, supply.CheckInput{Name: "smoke", Status: "success"}); err != nil {
			t.Fatal(err)
		}
		e.expect(rel, rules.Allowed, "")
	})
}
