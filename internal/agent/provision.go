package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"sync"
)

// provisionWorkers bounds the concurrent provisioning requests.
const provisionWorkers = 16

// provision returns the fleet's credentials: those of cfg.KeysFile first,
// then new devices, each given the starting target state. New devices are
// saved to the keys file. Reused devices keep the target state the server
// has for them, so a restarted agent does not undo a rollout.
func (f *Fleet) provision(ctx context.Context) ([]Credentials, error) {
	creds, err := loadKeys(f.cfg.KeysFile)
	if err != nil {
		return nil, err
	}
	if len(creds) >= f.cfg.Devices {
		return creds[:f.cfg.Devices], nil
	}
	if f.cfg.Token == "" {
		return nil, errors.New("agent: an admin token is needed to provision devices")
	}
	made, err := f.provisionNew(ctx, len(creds), f.cfg.Devices-len(creds))
	creds = append(creds, made...)
	if saveErr := saveKeys(f.cfg.KeysFile, creds); saveErr != nil {
		return nil, errors.Join(err, saveErr)
	}
	return creds, err
}

// provisionNew makes n devices numbered from from, in parallel. On failure
// it returns the devices made so far with the error.
func (f *Fleet) provisionNew(ctx context.Context, from, n int) ([]Credentials, error) {
	out := make([]Credentials, n)
	errs := make([]error, n)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, provisionWorkers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if out[i], errs[i] = f.provisionOne(ctx, from+i); errs[i] != nil {
					cancel()
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	var made []Credentials
	var first error // the cause, not the cancellations it caused
	for i, c := range out {
		if c.UUID != "" { // kept even if its target state failed, so it is not lost
			made = append(made, c)
		}
		if errs[i] != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = errs[i]
		}
	}
	if first != nil {
		return made, fmt.Errorf("agent: provisioning: %w", first)
	}
	return made, nil
}

func (f *Fleet) provisionOne(ctx context.Context, i int) (Credentials, error) {
	var c Credentials
	body := map[string]any{"name": fmt.Sprintf("sim-%05d", i+1), "labels": f.cfg.Labels, "architecture": runtime.GOARCH}
	if _, err := f.api.do(ctx, "POST", "/api/v1/devices", f.cfg.Token, body, &c); err != nil {
		return c, fmt.Errorf("create device: %w", err)
	}
	// A simulated device starts on the image it runs: no deployment, so it
	// needs no approval, and the gate records why it was let through.
	target := map[string]any{"apps": map[string]any{f.cfg.App: map[string]string{"image": f.cfg.Image}},
		"force": true, "reason": "airlock agent: a simulated device starts on the image it runs"}
	if _, err := f.api.do(ctx, "PUT", "/api/v1/devices/"+c.UUID+"/target-state", f.cfg.Token, target, nil); err != nil {
		return c, fmt.Errorf("set target state of %s: %w", c.UUID, err)
	}
	return c, nil
}

func loadKeys(path string) ([]Credentials, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("agent: keys file: %w", err)
	}
	var creds []Credentials
	if err := json.Unmarshal(b, &creds); err != nil {
		return nil, fmt.Errorf("agent: keys file %s: %w", path, err)
	}
	return creds, nil
}

// saveKeys writes the credentials where only their owner can read them.
func saveKeys(path string, creds []Credentials) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("agent: keys file: %w", err)
	}
	return nil
}
