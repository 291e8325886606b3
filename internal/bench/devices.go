package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// benchImport provisions the fleet through the bulk import endpoint, which
// is the import scenario, and polls every device once for its ETag. The
// fleet's image and the churn scenario's are approved first.
func benchImport(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	for _, repo := range []string{fleetRepo, churnRepo} {
		if err := e.admin(ctx, "POST", "/api/v1/images", fmt.Sprintf(`{"image_name":%q}`, repo), 201); err != nil {
			return nil, err
		}
	}
	e.tag = 1
	f, rates, err := e.importFleet(ctx, "dev", cfg.Devices, fleetImage(e.tag))
	if err != nil {
		return nil, err
	}
	e.fleet = f
	e.logf("  polling every device once for its ETag")
	if err := e.firstPolls(ctx, &e.fleet, cfg.Workers); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("bulk import, %d devices a request (rounds: requests)", importChunk(cfg.Devices))
	return []Row{row(name, unitDevices, "≥ 20,000 devices/s", rates)}, nil
}

// benchDevices measures the device side over the whole fleet: polls of a
// random device answered 304 and 200, alternating with the bare net/http
// baseline, then state reports from 8 clients.
func benchDevices(ctx context.Context, e *env, cfg Config) ([]Row, error) {
	f, n := &e.fleet, cfg.Devices
	baseline := func() (float64, error) {
		return e.rate(ctx, cfg.Workers, cfg.Duration, 304, func() *http.Request {
			req, _ := http.NewRequestWithContext(ctx, "GET", e.baseline+"/api/v1/devices/x/target-state", nil)
			req.Header.Set("Authorization", "Bearer dk_x")
			req.Header.Set("If-None-Match", `"baseline"`)
			return req
		})
	}
	poll304 := func() (float64, error) {
		return e.rate(ctx, cfg.Workers, cfg.Duration, 304, func() *http.Request {
			i := rand.IntN(n)
			return e.devicePoll(ctx, e.url, f, i, f.etags[i])
		})
	}
	poll200 := func() (float64, error) {
		return e.rate(ctx, cfg.Workers, cfg.Duration, 200, func() *http.Request { return e.devicePoll(ctx, e.url, f, rand.IntN(n), "") })
	}
	m, err := alternate(e, "polls", cfg.Rounds, baseline, poll304, poll200)
	if err != nil {
		return nil, err
	}
	reports, err := e.reportRounds(ctx, cfg)
	if err != nil {
		return nil, err
	}
	w := cfg.Workers
	return []Row{
		row(fmt.Sprintf("baseline: bare net/http answering 304, %d clients", w), unitRate, "", m[0]),
		row(fmt.Sprintf("target-state poll answered 304, random device of %d", n), unitRate, "", m[1]),
		row("304 poll ÷ baseline", unitRatio, "≥ 0.5×", ratios(m[1], m[0])),
		row(fmt.Sprintf("target-state poll answered 200, random device of %d", n), unitRate, "", m[2]),
		row("200 poll ÷ baseline", unitRatio, "", ratios(m[2], m[0])),
		reports,
	}, nil
}

// reportRounds measures state reports of random devices from 8 clients,
// each reporting the image the device already runs.
func (e *env) reportRounds(ctx context.Context, cfg Config) (Row, error) {
	f := &e.fleet
	image := fleetImage(e.tag)
	m, err := alternate(e, "state reports", cfg.Rounds, func() (float64, error) {
		return e.rate(ctx, 8, cfg.Duration, 204, func() *http.Request { return e.patchState(ctx, f, rand.IntN(len(f.uuids)), image) })
	})
	if err != nil {
		return Row{}, err
	}
	return row("device state reports, 8 clients", unitRate, "≥ 10,000/s", m[0]), nil
}

// since is the milliseconds since t0.
func since(t0 time.Time) float64 { return ms(time.Since(t0)) }
