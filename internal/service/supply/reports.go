package supply

import (
	"context"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/store"
	supplydb "github.com/airlock-iot/airlock/internal/store/supply"
	"github.com/airlock-iot/airlock/internal/verify"
)

// Reports takes vulnerability reports and CI checks for digests.
type Reports struct {
	DB *store.DB
	// Arrived, if set, is told after commit of each digest that got new
	// evidence, so that releases held for it are evaluated again.
	Arrived func(ctx context.Context, digest string)
}

// Stored is what a posted report became.
type Stored struct {
	ID      int64          `json:"id"`
	Scanner string         `json:"scanner"`
	Digest  string         `json:"digest"`
	Counts  map[string]int `json:"counts"`
}

// PostReport decodes a Trivy or Grype JSON report and stores it for the
// digest it names.
func (s Reports) PostReport(ctx context.Context, actor string, body []byte) (Stored, error) {
	r, err := verify.DecodeReport(body, s.DB.Now())
	if err != nil {
		return Stored{}, err
	}
	out, err := s.store(ctx, actor, []rules.ScanReport{r})
	if err != nil {
		return Stored{}, err
	}
	return out[0], nil
}

// HarborScan stores the reports of a Harbor SCANNING_COMPLETED webhook;
// ok is false for any other Harbor event, which is ignored.
func (s Reports) HarborScan(ctx context.Context, actor string, body []byte) (out []Stored, ok bool, err error) {
	reports, ok, err := verify.DecodeHarborScan(body, s.DB.Now())
	if err != nil || !ok {
		return nil, ok, err
	}
	out, err = s.store(ctx, actor, reports)
	return out, true, err
}

func (s Reports) store(ctx context.Context, actor string, reports []rules.ScanReport) ([]Stored, error) {
	out := []Stored{}
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		for _, r := range reports {
			id, err := supplydb.AddScanReport(ctx, tx, r)
			if err != nil {
				return err
			}
			out = append(out, Stored{ID: id, Scanner: r.Scanner, Digest: r.Digest, Counts: r.Counts})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, st := range out {
		s.arrived(ctx, st.Digest)
	}
	return out, nil
}

func (s Reports) arrived(ctx context.Context, digest string) {
	if s.Arrived != nil {
		s.Arrived(ctx, digest)
	}
}

// CheckInput is one CI check result for a digest.
type CheckInput struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	URL     string `json:"url,omitempty"`
	Summary string `json:"summary,omitempty"`
}

// PostCheck records check in.Name's latest status for digest.
func (s Reports) PostCheck(ctx context.Context, actor, digest string, in CheckInput) error {
	if err := validCheck(digest, in); err != nil {
		return err
	}
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		return supplydb.SetCheck(ctx, tx, digest, in.Name, rules.Check{Status: in.Status, URL: in.URL, Summary: in.Summary})
	})
	if err == nil {
		s.arrived(ctx, digest)
	}
	return err
}

func validCheck(digest string, in CheckInput) error {
	if _, err := verify.SignatureTag(digest); err != nil {
		return err
	}
	return validCheckFields(in)
}

func validCheckFields(in CheckInput) error {
	switch {
	case in.Name == "" || len(in.Name) > 100:
		return airlock.FieldErrorf("name", "must be 1 to 100 characters")
	case in.Status != rules.CheckPending && in.Status != rules.CheckSuccess && in.Status != rules.CheckFailure:
		return airlock.FieldErrorf("status", "must be pending, success or failure")
	case len(in.URL) > 2000:
		return airlock.FieldErrorf("url", "must be at most 2000 characters")
	case len(in.Summary) > 2000:
		return airlock.FieldErrorf("summary", "must be at most 2000 characters")
	}
	return nil
}

// Latest is the latest scan report for digest, findings and counts by
// severity; ENOTFOUND if none was posted.
func (s Reports) Latest(ctx context.Context, digest string) (rules.ScanReport, error) {
	if _, err := verify.SignatureTag(digest); err != nil {
		return rules.ScanReport{}, err
	}
	r, err := supplydb.LatestScan(ctx, s.DB, digest)
	if err != nil {
		return rules.ScanReport{}, err
	}
	if r == nil {
		return rules.ScanReport{}, airlock.Errorf(airlock.ENOTFOUND, "no scan report for %s", digest)
	}
	return *r, nil
}
