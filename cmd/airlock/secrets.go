package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/airlock-iot/airlock/internal/app"
	"github.com/airlock-iot/airlock/internal/config"
)

// secretsFileName is where generated secrets go when no terminal shows them.
const secretsFileName = "airlock-secrets.txt"

// bootstrap makes, on the first start, the admin token and webhook secret
// nobody configured, and shows them once (see announce).
func bootstrap(ctx context.Context, a *app.App, cfg config.Config, log *slog.Logger) error {
	secret, hook, err := a.Bootstrap(ctx)
	if err != nil {
		return err
	}
	var text strings.Builder
	if secret != "" {
		fmt.Fprintf(&text, "Admin token (shown once, keep it safe):\n\n    %s\n\n", secret)
	}
	if hook != "" {
		base := publicURL(cfg)
		fmt.Fprintf(&text, "Webhook URL for your registry (shown once, keep it safe):\n\n    %s/api/v1/webhooks/docker-registry?token=%s\n\n", base, hook)
		if isLocal(base) {
			fmt.Fprintf(&text, "Note: this URL says %s, which a registry on another machine cannot reach;\nset AIRLOCK_PUBLIC_URL to the address registries use.\n\n", base)
			log.Warn("the printed webhook URL names a local address; set AIRLOCK_PUBLIC_URL", "base", base)
		}
	}
	if text.Len() == 0 {
		return nil
	}
	return announce(cfg, log, text.String(), stderrIsTerminal())
}

// announce shows generated secrets on the terminal, or, when stderr is a
// log stream (a service manager, a container), writes them to a file only
// the owner can read and logs where: a log line is copied, shipped and kept.
func announce(cfg config.Config, log *slog.Logger, text string, terminal bool) error {
	if terminal {
		fmt.Fprint(os.Stderr, "\n"+text)
		return nil
	}
	path := secretsPath(cfg)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("writing generated secrets: %w", err)
	}
	defer f.Close()
	if err := f.Chmod(0o600); err != nil { // a file that was there may have been readable
		return fmt.Errorf("writing generated secrets: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		return fmt.Errorf("writing generated secrets: %w", err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	log.Warn("generated secrets written to a file readable by this user only: read them, then delete it", "file", path)
	return f.Close()
}

// secretsPath is AIRLOCK_SECRETS_FILE, else beside the SQLite database, else
// (PostgreSQL) in the working directory.
func secretsPath(cfg config.Config) string {
	if cfg.SecretsFile != "" {
		return cfg.SecretsFile
	}
	if !strings.Contains(cfg.DatabaseURL, "://") {
		return filepath.Join(filepath.Dir(strings.TrimPrefix(cfg.DatabaseURL, "sqlite:")), secretsFileName)
	}
	return secretsFileName
}

func stderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// publicURL is where registries reach this server, for the printed webhook URL.
func publicURL(cfg config.Config) string {
	if cfg.PublicURL != "" {
		return strings.TrimSuffix(cfg.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// isLocal reports whether base names this machine only.
func isLocal(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	h := u.Hostname()
	ip := net.ParseIP(h)
	return h == "localhost" || ip != nil && ip.IsLoopback()
}
