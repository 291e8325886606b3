package config

import (
	"fmt"
	"net"
)

// DebugListenAddr is where the debug listener binds, "" when it is off.
// Profiles expose memory and timings, so a bare ":port" means loopback;
// the operator opens it wider only by naming the host ("0.0.0.0:6060").
func (c Config) DebugListenAddr() (string, error) {
	if c.DebugAddr == "" {
		return "", nil
	}
	host, port, err := net.SplitHostPort(c.DebugAddr)
	if err != nil {
		return "", fmt.Errorf("AIRLOCK_DEBUG_ADDR: want host:port or :port, got %q", c.DebugAddr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}
