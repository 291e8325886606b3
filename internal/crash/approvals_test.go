package crash

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// call sends one request and returns its status and body.
func (s *server) call(method, path, token, body string) (int, []byte) {
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil // the server died under it
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (s *server) push(image string) int {
	st, _ := s.call("POST", "/api/v1/webhooks/generic?token="+secret, "", fmt.Sprintf(`{"image": %q}`, image))
	return st
}

func TestKillDuringApprovals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dbURL string) {
		s := startServer(t, dbURL)
		const n = 40
		for i := range n {
			if st := s.push(fmt.Sprintf("example.com/crash/img%d:v1", i)); st != 403 {
				t.Fatalf("push %d: %d", i, st)
			}
		}
		byImage := s.requests("pending")
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = byImage[fmt.Sprintf("img%d", i)]
		}
		if len(byImage) != n {
			t.Fatalf("%d pending requests, want %d", len(byImage), n)
		}

		answered := make([]bool, n)
		first := make(chan struct{}, n)
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, _ := s.call("POST", fmt.Sprintf("/api/v1/approval-requests/%d/approve", id), adminToken, "")
				answered[i] = st == 200
				first <- struct{}{}
			}()
		}
		for range n / 4 { // kill in the middle: some answered, the rest in flight
			<-first
		}
		time.Sleep(time.Millisecond)
		s.kill()
		wg.Wait()

		s = startServer(t, dbURL)
		checkApprovalsKept(t, s, ids, answered)
		for _, id := range s.requests("pending") {
			if st, b := s.call("POST", fmt.Sprintf("/api/v1/approval-requests/%d/approve", id), adminToken, ""); st != 200 {
				t.Fatalf("approving %d after restart: %d %s", id, st, b)
			}
		}
		if got := len(s.requests("approved")); got != n {
			t.Fatalf("%d approved after finishing, want %d", got, n)
		}
	})
}

// checkApprovalsKept asserts, after the restart, that every approval answered
// 200 before the kill is kept, and that each image's push agrees with whether
// its request (ids[i] for image i) is approved.
func checkApprovalsKept(t *testing.T, s *server, ids []int64, answered []bool) {
	t.Helper()
	approved := map[int64]bool{}
	for _, id := range s.requests("approved") {
		approved[id] = true
	}
	done := 0
	for i, id := range ids {
		if answered[i] && !approved[id] {
			t.Errorf("approval of request %d was answered 200 but is lost", id)
		}
		img := fmt.Sprintf("example.com/crash/img%d:v1", i)
		want := map[bool]int{true: 200, false: 403}[approved[id]]
		if st := s.push(img); st != want {
			t.Errorf("request %d approved=%v but a push of %s answers %d", id, approved[id], img, st)
		}
		if approved[id] {
			done++
		}
	}
	t.Logf("%d of %d approvals committed before the kill, %d answered", done, len(ids), count(answered))
}

// requests maps the image names of the requests with status to their ids.
func (s *server) requests(status string) map[string]int64 {
	ids := map[string]int64{}
	for offset := 0; ; { // a page at a time: an outage's load writes more requests than the largest page
		st, b := s.call("GET", fmt.Sprintf("/api/v1/approval-requests?limit=1000&offset=%d&status=%s", offset, status), adminToken, "")
		if st != 200 {
			s.t.Fatalf("list %s requests: %d %s", status, st, b)
		}
		var list struct {
			Items []struct {
				ID        int64
				ImageName string `json:"image_name"`
			}
		}
		if err := json.Unmarshal(b, &list); err != nil {
			s.t.Fatal(err)
		}
		for _, it := range list.Items {
			ids[it.ImageName] = it.ID
		}
		if offset += len(list.Items); len(list.Items) < 1000 {
			return ids
		}
	}
}

func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
