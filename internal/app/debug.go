package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// DebugHandler serves net/http/pprof under /debug/pprof/.
func DebugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// StartDebug opens the debug listener of Config.DebugAddr, if any, until
// ctx ends or Close. It returns the address it listens on, "" when off.
func (a *App) StartDebug(ctx context.Context) (string, error) {
	addr, err := a.Config.DebugListenAddr()
	if err != nil || addr == "" {
		return "", err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	// No write timeout: a CPU profile or trace streams for as long as asked.
	srv := &http.Server{Handler: DebugHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("debug listener stopped", "err", err)
		}
	}()
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	a.stops = append(a.stops, func() { stop(); srv.Close() })
	a.Log.Info("debug listener (pprof)", "addr", ln.Addr().String())
	return ln.Addr().String(), nil
}
