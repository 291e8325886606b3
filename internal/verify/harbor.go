package verify

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rules"
)

// harborOverview is one entry of a resource's scan_overview, keyed by the
// report's media type.
type harborOverview struct {
	ScanStatus string    `json:"scan_status"`
	EndTime    time.Time `json:"end_time"`
	Summary    struct {
		Summary map[string]int `json:"summary"` // "Critical": 2, ...
	} `json:"summary"`
	Scanner struct {
		Name string `json:"name"`
	} `json:"scanner"`
}

type harborScanData struct {
	Resources []struct {
		Digest       string                    `json:"digest"`
		ScanOverview map[string]harborOverview `json:"scan_overview"`
	} `json:"resources"`
}

// harborScan holds Harbor's default format (type, occur_at, event_data)
// and its CloudEvents format (specversion, time, data).
type harborScan struct {
	Type        string          `json:"type"`
	OccurAt     int64           `json:"occur_at"`
	EventData   *harborScanData `json:"event_data"`
	SpecVersion string          `json:"specversion"`
	Time        time.Time       `json:"time"`
	Data        *harborScanData `json:"data"`
}

// DecodeHarborScan reads Harbor's SCANNING_COMPLETED webhook: one report
// per scanned resource, with counts by severity but no findings, as Harbor
// sends only its summary. ok is false for any other Harbor event.
func DecodeHarborScan(body []byte, received time.Time) (reports []rules.ScanReport, ok bool, err error) {
	if len(body) > MaxReportBytes {
		return nil, false, airlock.Errorf(airlock.ETOOLARGE, "a webhook must be at most %d bytes", MaxReportBytes)
	}
	var p harborScan
	if err := decodeJSON(body, &p); err != nil {
		return nil, false, err
	}
	data, at := p.EventData, time.Time{}
	if p.OccurAt > 0 && p.OccurAt < maxUnix {
		at = time.Unix(p.OccurAt, 0)
	}
	if p.SpecVersion != "" {
		data, at = p.Data, p.Time
	}
	if p.Type != "SCANNING_COMPLETED" && p.Type != "harbor.scan.completed" {
		return nil, false, nil
	}
	if data == nil {
		return nil, true, airlock.FieldErrorf("event_data", "is missing")
	}
	for i, res := range data.Resources {
		r, found, err := harborReport(index("event_data.resources", i), res.Digest, res.ScanOverview, at)
		if err != nil {
			return nil, true, err
		}
		if found {
			finish(&r, received)
			reports = append(reports, r)
		}
	}
	return reports, true, nil
}

// maxUnix is the end of year 9999.
const maxUnix = 253402300800

// harborReport reads the successful vulnerability overview of one
// resource; found is false if its scan produced none (an SBOM, a failure).
func harborReport(field, digest string, overviews map[string]harborOverview, at time.Time) (rules.ScanReport, bool, error) {
	for _, mediaType := range slices.Sorted(maps.Keys(overviews)) {
		o := overviews[mediaType]
		if !strings.Contains(mediaType, "vuln") || o.ScanStatus != "Success" {
			continue
		}
		if !digestRE.MatchString(digest) {
			return rules.ScanReport{}, false, airlock.FieldErrorf(field+".digest", "must be a sha256 digest")
		}
		r := rules.ScanReport{Scanner: "harbor", Digest: digest, ScannedAt: at, Findings: []rules.Finding{}, Counts: map[string]int{}}
		if name := strings.ToLower(o.Scanner.Name); name != "" && len(name) < 64 && checkValue(name) {
			r.Scanner += "/" + name
		}
		if !o.EndTime.IsZero() {
			r.ScannedAt = o.EndTime
		}
		for _, s := range rules.Severities {
			r.Counts[s] = 0
		}
		for sev, n := range o.Summary.Summary {
			if n > 0 && !strings.EqualFold(sev, "none") {
				r.Counts[NormalizeSeverity(sev)] += min(n, maxFindings)
			}
		}
		return r, true, nil
	}
	return rules.ScanReport{}, false, nil
}
