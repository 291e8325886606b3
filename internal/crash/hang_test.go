package crash

import (
	"encoding/json"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// TestDatabaseHangs freezes PostgreSQL (sockets open, no bytes) under a
// running server: every kind of request must still get an answer, a 503,
// within 6 s, and the server must recover when the database does.
func TestDatabaseHangs(t *testing.T) {
	if os.Getenv("AIRLOCK_TEST_POSTGRES_URL") == "" {
		t.Skip("needs PostgreSQL: set AIRLOCK_TEST_POSTGRES_URL")
	}
	t.Parallel()
	direct := storetest.URL(t, store.Postgres)
	storetest.Open(t, direct)
	u, _ := url.Parse(direct)
	p := startProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	s := startServer(t, u.String())

	dev := provisionDevice(t, s, "hang")
	report := `{"apps": {"cache": {"image": "redis:7.4", "status": "running", "healthy": true}}}`
	calls := map[string][4]string{ // method, path, token, body
		"poll":        {"GET", "/api/v1/devices/" + dev.UUID + "/target-state", dev.APIKey, ""},
		"report":      {"PATCH", "/api/v1/devices/" + dev.UUID + "/state", dev.APIKey, report},
		"admin read":  {"GET", "/api/v1/images", adminToken, ""},
		"readyz":      {"GET", "/readyz", "", ""},
		"bad token":   {"GET", "/api/v1/images", "alk_not-a-token-at-all-0000", ""},
		"device list": {"GET", "/api/v1/devices", adminToken, ""},
	}
	for name, c := range calls {
		if st, b := s.call(c[0], c[1], c[2], c[3]); st >= 300 && name != "bad token" {
			t.Fatalf("%s before the freeze: %d %s", name, st, b)
		}
	}
	p.freeze()
	var wg sync.WaitGroup
	for name, c := range calls {
		wg.Go(func() {
			t0 := time.Now()
			st, b := s.call(c[0], c[1], c[2], c[3])
			d := time.Since(t0)
			t.Logf("%s while frozen: %d in %s", name, st, d.Round(time.Millisecond))
			if st != 503 || d > 6*time.Second {
				t.Errorf("%s while frozen: %d after %s, want 503 within 6s: %s", name, st, d, b)
			}
		})
	}
	wg.Wait()
	p.thaw()
	deadline := time.Now().Add(15 * time.Second)
	for {
		st, _ := s.call("GET", "/api/v1/images", adminToken, "")
		if st == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("admin read after the thaw: still %d", st)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// device is a provisioned device and the key it authenticates with.
type device struct {
	UUID   string
	APIKey string `json:"api_key"`
}

// provisionDevice registers a device called name through the admin API.
func provisionDevice(t *testing.T, s *server, name string) device {
	t.Helper()
	st, b := s.call("POST", "/api/v1/devices", adminToken, `{"name": "`+name+`"}`)
	var dev device
	if json.Unmarshal(b, &dev); st != 201 || dev.APIKey == "" {
		t.Fatalf("provision: %d %s", st, b)
	}
	return dev
}
