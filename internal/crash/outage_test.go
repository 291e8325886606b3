package crash

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// proxy stands between Airlock and PostgreSQL so a test can cut the
// database off, for this server alone, and bring it back, or freeze it:
// connections open and stay open, but no byte passes.
type proxy struct {
	ln     net.Listener
	target string
	down   atomic.Bool
	mu     sync.Mutex
	conns  map[net.Conn]bool
	thawed chan struct{} // open while frozen
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}, thawed: make(chan struct{})}
	close(p.thawed)
	t.Cleanup(func() { ln.Close(); p.thaw(); p.cut() })
	go p.serve()
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			c.Close()
			continue
		}
		go p.pipe(c)
	}
}

func (p *proxy) pipe(c net.Conn) {
	p.track(c)
	p.wait()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.track(up)
	go func() { p.copy(up, c); up.Close() }()
	p.copy(c, up)
	c.Close()
}

// copy is io.Copy that holds each chunk while the proxy is frozen.
func (p *proxy) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.wait()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// freeze holds every byte, on open connections and new ones, until thaw.
func (p *proxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.thawed:
		p.thawed = make(chan struct{})
	default:
	}
}

func (p *proxy) thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.thawed:
	default:
		close(p.thawed)
	}
}

func (p *proxy) wait() {
	p.mu.Lock()
	c := p.thawed
	p.mu.Unlock()
	<-c
}

func (p *proxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = true
	}
}

// cut drops every connection and refuses new ones until restore.
func (p *proxy) cut() {
	p.down.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *proxy) restore() { p.down.Store(false) }

func TestDatabaseOutage(t *testing.T) {
	if os.Getenv("AIRLOCK_TEST_POSTGRES_URL") == "" {
		t.Skip("needs PostgreSQL: set AIRLOCK_TEST_POSTGRES_URL")
	}
	t.Parallel()
	direct := storetest.URL(t, store.Postgres)
	storetest.Open(t, direct) // migrate through the direct route
	u, _ := url.Parse(direct)
	p := startProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	s := startServer(t, u.String())

	l := &pushLoad{statuses: map[int]int{}}
	stop := l.start(t, s, 4)
	time.Sleep(300 * time.Millisecond)
	p.cut()
	time.Sleep(200 * time.Millisecond)
	if st, b := s.call("GET", "/readyz", "", ""); st != 503 {
		t.Errorf("/readyz during the outage: %d %s", st, b)
	}
	time.Sleep(time.Second)
	p.restore()
	time.Sleep(time.Second)
	stop()

	t.Logf("answers: %v; slowest %s; %d writes answered", l.statuses, l.slowest, len(l.committed))
	for st := range l.statuses {
		if st != 403 && st != 503 {
			t.Errorf("%d answers with status %d: want 403 (written) or 503 (database down)", l.statuses[st], st)
		}
	}
	if l.statuses[503] == 0 {
		t.Error("the outage produced no 503")
	}
	if l.slowest > 5*time.Second {
		t.Errorf("a request took %s during the outage: want a quick 503", l.slowest)
	}
	if st, _ := s.call("GET", "/readyz", "", ""); st != 200 {
		t.Errorf("/readyz after the database returned: %d", st)
	}
	pending := s.requests("pending")
	for _, img := range l.committed {
		name := img[len("outage/"):]
		if _, ok := pending[name]; !ok {
			t.Errorf("push of %s was answered 403 but its approval request is missing", img)
		}
	}
}

// pushLoad is a stream of generic-webhook pushes, each of a new image, and
// what they were answered.
type pushLoad struct {
	seq       atomic.Int64
	mu        sync.Mutex
	committed []string // images whose push was answered 403: its approval request was written
	statuses  map[int]int
	slowest   time.Duration
}

// start runs n pushers against s until the returned stop is called; stop
// returns once they have all finished.
func (l *pushLoad) start(t *testing.T, s *server, n int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				l.push(t, s)
			}
		})
	}
	return func() {
		close(done)
		wg.Wait()
	}
}

// push sends one push of a new image and records its answer.
func (l *pushLoad) push(t *testing.T, s *server) {
	img := fmt.Sprintf("outage/img%d", l.seq.Add(1))
	t0 := time.Now()
	st, body := s.call("POST", "/api/v1/webhooks/generic?token="+secret, "", fmt.Sprintf(`{"image": "example.com/%s:v1"}`, img))
	if st == 500 {
		t.Logf("500: %s", body)
	}
	d := time.Since(t0)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.statuses[st]++
	l.slowest = max(l.slowest, d)
	if st == 403 {
		l.committed = append(l.committed, img)
	}
}
