package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
)

// emailSink mails approval requests through an SMTP server.
type emailSink struct {
	addr     string // host:port
	host     string
	implicit bool // smtps: TLS from the first byte
	auth     smtp.Auth
	from     string
	to       []string
	header   string // From and To lines
}

func newEmailSink(rawURL, from string, to []string) (*emailSink, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, errors.New("SMTP URL must be smtp://[user:pass@]host[:port] or smtps://…")
	}
	s := &emailSink{host: u.Hostname(), implicit: u.Scheme == "smtps"}
	port := u.Port()
	if port == "" {
		port = map[bool]string{false: "25", true: "465"}[s.implicit]
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		pass, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, s.host)
	}
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("sender address: %w", err)
	}
	s.from = fromAddr.Address
	var shown []string
	for _, a := range to {
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return nil, fmt.Errorf("recipient address: %w", err)
		}
		s.to = append(s.to, addr.Address)
		shown = append(shown, addr.String())
	}
	s.header = "From: " + fromAddr.String() + "\r\nTo: " + strings.Join(shown, ", ") + "\r\n"
	return s, nil
}

func (s *emailSink) name() string { return "smtp://" + s.addr }

func (s *emailSink) key() string {
	to := slices.Sorted(slices.Values(s.to))
	return "email:" + s.addr + ":" + strings.Join(to, ",")
}

func (s *emailSink) wants(typ string) bool { return approvalEvent(typ) }

func (s *emailSink) deliver(ctx context.Context, e airlock.Event, m message) error {
	conn, err := s.dial(ctx)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", s.addr, err)
	}
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", s.addr, err)
	}
	defer c.Close()
	if err := s.send(c, s.compose(e, m)); err != nil {
		return fmt.Errorf("smtp %s: %w", s.addr, err)
	}
	return nil
}

func (s *emailSink) dial(ctx context.Context) (net.Conn, error) {
	if s.implicit {
		d := tls.Dialer{Config: &tls.Config{ServerName: s.host}}
		return d.DialContext(ctx, "tcp", s.addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", s.addr)
}

func (s *emailSink) send(c *smtp.Client, msg []byte) error {
	if ok, _ := c.Extension("STARTTLS"); ok && !s.implicit {
		if err := c.StartTLS(&tls.Config{ServerName: s.host}); err != nil {
			return err
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return err
		}
	}
	if err := c.Mail(s.from); err != nil {
		return err
	}
	for _, to := range s.to {
		if err := c.Rcpt(to); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// compose writes the message; the Message-ID is the event's, so that a
// mail client shows one message even if a restart sent it twice.
func (s *emailSink) compose(e airlock.Event, m message) []byte {
	var b strings.Builder
	b.WriteString(s.header)
	fmt.Fprintf(&b, "Subject: [Airlock] %s\r\n", oneLine(m.Title))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <event-%d.%d@airlock>\r\n", e.ID, e.CreatedAt.UnixNano())
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(m.Text, "\n", "\r\n"))
	b.WriteString("\r\n")
	return []byte(b.String())
}
