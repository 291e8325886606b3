package cost

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/airlock-iot/airlock/internal/registry"
)

var cellular = []Rule{
	{Labels: map[string]string{"link": "cellular"}, PerGB: 8.5, Currency: "EUR"},
	{Labels: map[string]string{"link": "satellite"}, PerGB: 40, Currency: "EUR"},
}

// TestIssueExample: 5,000 cellular gateways pulling a 180 MB update is
// 900 GB, at 8.5 EUR per GB 7,650 EUR.
func TestIssueExample(t *testing.T) {
	devices := make([]Device, 5000)
	for i := range devices {
		devices[i] = Device{UUID: "gw", Labels: map[string]string{"link": "cellular"}, Bytes: 180_000_000, Reported: i < 1000}
	}
	r := Estimate(cellular, devices)
	if r.DownloadBytes != 900_000_000_000 || r.EstimatedCost != 7650 || r.Currency != "EUR" {
		t.Fatalf("estimate %d bytes, %v %s", r.DownloadBytes, r.EstimatedCost, r.Currency)
	}
	if r.ActualBytes != 180_000_000_000 || r.ActualCost != 1530 || r.Unpriced != 0 {
		t.Fatalf("actual %d bytes, %v; unpriced %d", r.ActualBytes, r.ActualCost, r.Unpriced)
	}
	if d := r.Devices[0]; d.Cost != 1.53 || d.Bytes != 180_000_000 || d.Rule != 0 || !d.Priced {
		t.Fatalf("device %+v", d)
	}
}

// TestNoSharedLayers: devices that share no layer with the release each
// download its whole size.
func TestNoSharedLayers(t *testing.T) {
	img := registry.Image{Config: registry.Descriptor{Digest: "sha256:cfg", Size: 1_234},
		Layers: []registry.Descriptor{{Digest: "sha256:l1", Size: 50_000_000}, {Digest: "sha256:l2", Size: 7_000_000}}}
	other := BlobsOf(registry.Image{Config: registry.Descriptor{Digest: "sha256:old"},
		Layers: []registry.Descriptor{{Digest: "sha256:l0", Size: 9}}})
	var devices []Device
	for range 7 {
		devices = append(devices, Device{Bytes: Download(img, other)})
	}
	if r := Estimate(nil, devices); r.DownloadBytes != 7*Size(img) || r.Unpriced != 7 || r.EstimatedCost != 0 || r.Currency != "" {
		t.Fatalf("download_bytes %d, want %d; %+v", r.DownloadBytes, 7*Size(img), r)
	}
}

func TestEstimate(t *testing.T) {
	devices := []Device{
		{UUID: "a", Labels: map[string]string{"link": "cellular"}, Bytes: 1_000_000, Reported: true},
		{UUID: "b", Labels: map[string]string{"link": "satellite"}, Bytes: 250_000_000},
		{UUID: "c", Labels: map[string]string{"link": "wired"}, Bytes: 900_000_000, Reported: true},
		{UUID: "d", Labels: nil, Bytes: -5},
	}
	want := Rollout{
		Currency: "EUR", DownloadBytes: 1_151_000_000, EstimatedCost: 10.0085, ActualBytes: 901_000_000,
		ActualCost: 0.0085, Unpriced: 2,
		Devices: []DeviceCost{
			{UUID: "a", Bytes: 1_000_000, Cost: 0.0085, Rule: 0, Priced: true},
			{UUID: "b", Bytes: 250_000_000, Cost: 10, Rule: 1, Priced: true},
			{UUID: "c", Bytes: 900_000_000, Rule: -1},
			{UUID: "d", Rule: -1},
		},
	}
	if diff := cmp.Diff(want, Estimate(cellular, devices)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if got := Estimate(cellular, nil); got.DownloadBytes != 0 || len(got.Devices) != 0 || got.Currency != "EUR" {
		t.Fatalf("no devices: %+v", got)
	}
}

func TestCheckLimits(t *testing.T) {
	devices := []Device{
		{UUID: "a", Labels: map[string]string{"link": "cellular"}, Bytes: 180_000_000},
		{UUID: "b", Labels: map[string]string{"link": "cellular"}, Bytes: 120_000_000},
		{UUID: "c", Labels: map[string]string{"link": "cellular"}, Bytes: 20_000_000},
	}
	r := Estimate(cellular, devices) // 320 MB at 8.5/GB: 2.72 EUR
	cases := []struct {
		name    string
		limits  Limits
		reasons []string
		over    int
	}{
		{name: "no limits", limits: Limits{}},
		{name: "within", limits: Limits{MaxDownloadBytesPerDevice: 180_000_000, MaxRolloutCost: 2.72}},
		{name: "bytes over", limits: Limits{MaxDownloadBytesPerDevice: 100_000_000}, over: 2,
			reasons: []string{"2 devices would download up to 180 MB (180000000 bytes), over max_download_bytes_per_device 100 MB (100000000 bytes)"}},
		{name: "cost over", limits: Limits{MaxRolloutCost: 2.5},
			reasons: []string{"estimated cost 2.72 EUR is over max_rollout_cost 2.5 EUR"}},
		{name: "both", limits: Limits{MaxDownloadBytesPerDevice: 150_000_000, MaxRolloutCost: 1}, over: 1,
			reasons: []string{"1 device would download up to 180 MB (180000000 bytes), over max_download_bytes_per_device 150 MB (150000000 bytes)",
				"estimated cost 2.72 EUR is over max_rollout_cost 1 EUR"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CheckLimits(c.limits, r)
			want := Check{Hold: len(c.reasons) > 0, Reasons: c.reasons, DevicesOver: c.over, MaxDeviceBytes: 180_000_000,
				EstimatedCost: 2.72, Currency: "EUR"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateLimits(t *testing.T) {
	for _, c := range []struct {
		l     Limits
		field string
	}{
		{Limits{}, ""},
		{Limits{MaxDownloadBytesPerDevice: 100_000_000, MaxRolloutCost: 50}, ""},
		{Limits{MaxDownloadBytesPerDevice: MaxByteLimit, MaxRolloutCost: MaxCostLimit}, ""},
		{Limits{MaxDownloadBytesPerDevice: -1}, "max_download_bytes_per_device"},
		{Limits{MaxDownloadBytesPerDevice: MaxByteLimit + 1}, "max_download_bytes_per_device"},
		{Limits{MaxRolloutCost: -0.01}, "max_rollout_cost"},
		{Limits{MaxRolloutCost: MaxCostLimit * 2}, "max_rollout_cost"},
	} {
		err := ValidateLimits(c.l)
		if fieldOf(err) != c.field || (c.field == "") != (err == nil) {
			t.Errorf("ValidateLimits(%+v) = %v, want field %q", c.l, err, c.field)
		}
	}
}

func TestMonthly(t *testing.T) {
	day := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }
	entries := []Entry{
		{At: day(11, 30, 23), Cost: 1.1, Bytes: 100, Currency: "EUR"},
		{At: day(10, 2, 0), Cost: 2.2, Bytes: 200, Currency: "EUR"},
		{At: day(11, 1, 0), Cost: 0.1, Bytes: 10, Currency: "EUR"},
		{At: day(11, 1, 0), Cost: 0.2, Bytes: 20, Currency: "EUR"},
		{At: day(11, 5, 0), Cost: 5, Bytes: 50, Currency: "CHF"},
	}
	want := []Month{
		{Month: "2026-10", Currency: "EUR", Cost: 2.2, Bytes: 200},
		{Month: "2026-11", Currency: "CHF", Cost: 5, Bytes: 50},
		{Month: "2026-11", Currency: "EUR", Cost: 1.4, Bytes: 130},
	}
	if diff := cmp.Diff(want, Monthly(entries, nil)); diff != "" {
		t.Fatalf("UTC (-want +got):\n%s", diff)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	got := Monthly(entries[:1], tokyo)
	if len(got) != 1 || got[0].Month != "2026-12" {
		t.Fatalf("in Tokyo the last evening of November is December: %+v", got)
	}
	if got := Monthly(nil, nil); len(got) != 0 {
		t.Fatalf("no entries: %+v", got)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 bytes", 999: "999 bytes", 1000: "1 kB (1000 bytes)", 180_000_000: "180 MB (180000000 bytes)",
		1_550_000_000: "1.6 GB (1550000000 bytes)", 9_223_372_036_854_775_807: "9.2 EB (9223372036854775807 bytes)",
	} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	if !strings.Contains(FormatBytes(-5), "-5") {
		t.Error("a negative count is shown as given")
	}
}
