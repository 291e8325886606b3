package supply

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/airlock-iot/airlock/internal/policy"
	"github.com/airlock-iot/airlock/internal/registry"
	"github.com/airlock-iot/airlock/internal/release"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/store"
	supplydb "github.com/airlock-iot/airlock/internal/store/supply"
	"github.com/airlock-iot/airlock/internal/verify"
)

// Clients hands out the registry client of a host: *registry.Pool.
type Clients interface {
	Client(host string) (c *registry.Client, declared bool, err error)
}

// Checker evaluates the supply-chain rules for a release. It gathers the
// evidence first, from the registry and the database, outside any
// transaction, then judges with rules.Evaluate.
type Checker struct {
	DB      *store.DB
	Clients Clients
	Log     *slog.Logger
}

// Evaluate judges r by every rule whose pattern matches it. Enforce rules
// decide the outcome; warn rules that do not pass are recorded as
// release.rule_warning events and change nothing. Evidence the registry
// cannot give now (unreachable, no signature yet) is missing evidence:
// the release is held, not refused.
func (c *Checker) Evaluate(ctx context.Context, r release.Release) (rules.Outcome, error) {
	all, err := supplydb.Rules(ctx, c.DB)
	if err != nil {
		return rules.Outcome{}, fmt.Errorf("rules: %w", err)
	}
	rel := Subject(r)
	matching := Matching(all, rel)
	ev, err := c.evidence(ctx, r, &rel, matching)
	if err != nil {
		return rules.Outcome{}, err
	}
	out := rules.Evaluate(matching, rel, ev, c.DB.Now())
	return out, c.warn(ctx, rel, out)
}

// Subject is the release as rules see it.
func Subject(r release.Release) rules.Release {
	rel := rules.Release{Repository: r.Repository(), Tag: r.Tag, Digest: r.Digest, PushedAt: r.PushedAt, Pusher: r.Pusher}
	for _, p := range r.Platforms {
		rel.Platforms = append(rel.Platforms, p.String())
	}
	return rel
}

// Matching is the rules whose image pattern matches rel, in order; a rule
// whose pattern no longer parses stays in, for rules.Evaluate to fail.
func Matching(all []rules.Rule, rel rules.Release) []rules.Rule {
	var out []rules.Rule
	for _, r := range all {
		p, err := policy.ParsePattern(r.ImagePattern)
		if err != nil || p.Match(rel.Repository, rel.Tag) {
			out = append(out, r)
		}
	}
	return out
}

func has(rs []rules.Rule, kind string) bool {
	for _, r := range rs {
		if r.Kind == kind {
			return true
		}
	}
	return false
}

// evidence gathers what the matching rules judge by, and only that.
func (c *Checker) evidence(ctx context.Context, r release.Release, rel *rules.Release, rs []rules.Rule) (rules.Evidence, error) {
	ev := rules.Evidence{Signatures: map[string]rules.SignatureEvidence{}}
	var err error
	if has(rs, rules.KindVulnerabilities) && r.Digest != "" {
		if ev.Scan, err = supplydb.LatestScan(ctx, c.DB, r.Digest); err != nil {
			return ev, err
		}
	}
	if has(rs, rules.KindChecks) && r.Digest != "" {
		if ev.Checks, err = supplydb.Checks(ctx, c.DB, r.Digest); err != nil {
			return ev, err
		}
	}
	if has(rs, rules.KindApprovals) {
		if ev.Approval, err = c.approval(ctx, r); err != nil {
			return ev, err
		}
	}
	if has(rs, rules.KindLabels) && r.Digest != "" {
		c.labels(ctx, r, rel)
	}
	if has(rs, rules.KindSignature) {
		c.signatures(ctx, r, rs, ev.Signatures)
	}
	return ev, nil
}

func (c *Checker) approval(ctx context.Context, r release.Release) (*rules.ApprovalRequest, error) {
	a, err := supplydb.LatestApproval(ctx, c.DB, r.Registry, r.Namespace, r.Name, r.Digest)
	if a == nil || err != nil {
		return nil, err
	}
	return ApprovalOf(*a), nil
}

// repoPath is the release's repository below its registry host.
func repoPath(r release.Release) string {
	if r.Namespace == "" {
		return r.Name
	}
	return r.Namespace + "/" + r.Name
}

// labels reads the release's config labels and annotations; a registry
// that cannot answer leaves them unknown, and a labels rule then fails
// on a missing label, as it would for an image without them.
func (c *Checker) labels(ctx context.Context, r release.Release, rel *rules.Release) {
	cl, _, err := c.Clients.Client(r.Registry)
	if err == nil {
		var m *registry.Manifest
		if m, err = cl.Inspect(ctx, repoPath(r), r.Digest); err == nil {
			rel.Labels, rel.Annotations = m.Labels, m.Annotations
		}
	}
	if err != nil {
		c.Log.WarnContext(ctx, "reading a release's labels", "image", r.Repository(), "digest", r.Digest, "err", err)
	}
}

// signatures verifies what the registry holds for the release against
// each signature rule; a failure to fetch is recorded as the reason
// nothing verified, so the release waits.
func (c *Checker) signatures(ctx context.Context, r release.Release, rs []rules.Rule, out map[string]rules.SignatureEvidence) {
	found, fetchErr := c.fetchSignatures(ctx, r)
	for _, rule := range rs {
		if rule.Kind != rules.KindSignature || rule.Signature == nil {
			continue
		}
		signers, err := verify.NewSigners(rule.Signature)
		switch {
		case err != nil:
			out[rule.Name] = rules.SignatureEvidence{Signers: []string{}, Rejected: []string{"the rule's signers do not load: " + err.Error()}}
		case fetchErr != nil:
			out[rule.Name] = rules.SignatureEvidence{Signers: []string{}, Rejected: []string{fetchErr.Error()}}
		default:
			out[rule.Name] = signers.Verify(r.Digest, found)
		}
	}
}

// fetchSignatures reads the Sigstore bundles among the digest's referrers
// and the cosign tag-format signature, either of which may be absent.
func (c *Checker) fetchSignatures(ctx context.Context, r release.Release) (verify.Found, error) {
	var f verify.Found
	tag, err := verify.SignatureTag(r.Digest)
	if err != nil {
		return f, errors.New("the release has no digest to verify")
	}
	cl, _, err := c.Clients.Client(r.Registry)
	if err != nil {
		return f, fmt.Errorf("registry %s: %w", r.Registry, err)
	}
	repo := repoPath(r)
	refs, err := cl.Referrers(ctx, repo, r.Digest)
	if err != nil && !errors.Is(err, registry.ErrNotFound) {
		return f, fmt.Errorf("listing signatures: %w", err)
	}
	for _, d := range refs {
		if d.ArtifactType != verify.BundleArtifactType {
			continue
		}
		a, err := cl.Attachment(ctx, repo, d.Digest)
		if err != nil {
			return f, fmt.Errorf("reading a signature bundle: %w", err)
		}
		if len(a.Layers) > 0 {
			f.Bundles = append(f.Bundles, a.Layers[0].Data)
		}
	}
	a, err := cl.Attachment(ctx, repo, tag)
	switch {
	case errors.Is(err, registry.ErrNotFound):
	case err != nil:
		return f, fmt.Errorf("reading the signature tag: %w", err)
	default:
		f.Tag = &verify.TagSignature{Manifest: a.Manifest, Blobs: map[string][]byte{}}
		for _, l := range a.Layers {
			f.Tag.Blobs[l.Digest] = l.Data
		}
	}
	return f, nil
}

// warn records the warn rules that did not pass.
func (c *Checker) warn(ctx context.Context, rel rules.Release, out rules.Outcome) error {
	var warned []rules.Verdict
	for _, v := range out.Verdicts {
		if v.Mode == rules.ModeWarn && v.Result != rules.Pass {
			warned = append(warned, v)
		}
	}
	if len(warned) == 0 {
		return nil
	}
	return c.DB.InTx(ctx, "", func(tx *store.Tx) error {
		for _, v := range warned {
			err := tx.AddEvent(ctx, "release.rule_warning", "image/"+rel.Repository, map[string]any{"image": rel.Repository,
				"tag": rel.Tag, "digest": rel.Digest, "rule": v.Rule, "kind": v.Kind, "result": v.Result, "reason": v.Reason})
			if err != nil {
				return err
			}
		}
		return nil
	})
}
