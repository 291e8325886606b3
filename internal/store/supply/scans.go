package supply

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/store"
)

// AddScanReport stores a report for its digest; the latest by scan time
// is the one rules judge.
func AddScanReport(ctx context.Context, tx *store.Tx, r rules.ScanReport) (int64, error) {
	counts, err := json.Marshal(r.Counts)
	if err != nil {
		return 0, err
	}
	findings, err := json.Marshal(r.Findings)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO scan_reports (digest, scanner, scanned_at, received_at, reported_by, counts, findings)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, r.Digest, r.Scanner, r.ScannedAt, tx.Now(), tx.Actor,
		string(counts), string(findings)).Scan(&id)
	if err != nil {
		return 0, store.WrapErr(fmt.Errorf("insert scan report: %w", err))
	}
	return id, tx.AddEvent(ctx, "scan.report_received", "digest/"+r.Digest, map[string]any{"report_id": id,
		"digest": r.Digest, "scanner": r.Scanner, "scanned_at": r.ScannedAt, "counts": r.Counts})
}

// LatestScan is the digest's latest report by scan time, or nil if none.
func LatestScan(ctx context.Context, db *store.DB, digest string) (*rules.ScanReport, error) {
	r := rules.ScanReport{Digest: digest}
	var counts, findings string
	err := db.QueryRow(ctx, `SELECT scanner, scanned_at, counts, findings FROM scan_reports WHERE digest = $1
		ORDER BY scanned_at DESC, id DESC LIMIT 1`, digest).Scan(&r.Scanner, (*store.TimeScan)(&r.ScannedAt), &counts, &findings)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, store.WrapErr(fmt.Errorf("latest scan report: %w", err))
	}
	if err := json.Unmarshal([]byte(counts), &r.Counts); err != nil {
		return nil, fmt.Errorf("scan report counts: %w", err)
	}
	if err := json.Unmarshal([]byte(findings), &r.Findings); err != nil {
		return nil, fmt.Errorf("scan report findings: %w", err)
	}
	return &r, nil
}
