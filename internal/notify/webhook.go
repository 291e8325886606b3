package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/config"
)

// webhookSink POSTs notifications to a URL: the event as JSON signed with
// HMAC-SHA256 (X-Airlock-Signature: sha256=<hex>), or Slack's {"text"} form.
type webhookSink struct {
	url    string
	shown  string // the URL without path or query, for logs: a Slack URL's path is its secret
	slack  bool
	secret []byte
	client *http.Client
}

func newWebhookSink(raw, secret string, client *http.Client) (*webhookSink, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, errors.New("notification URL is not an absolute URL")
	}
	s := &webhookSink{slack: config.IsSlackURL(u), secret: []byte(secret), client: client}
	u.Scheme = strings.TrimPrefix(u.Scheme, "slack+")
	s.url = u.String()
	s.shown = u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" {
		s.shown += "/…"
	}
	return s, nil
}

func (s *webhookSink) name() string          { return s.shown }
func (s *webhookSink) key() string           { return "webhook:" + s.url }
func (s *webhookSink) wants(typ string) bool { return Notable(typ) }

// body is what a signed notification carries: the event as the API shows
// it, with a title and text for people.
type body struct {
	airlock.Event
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Sign returns the X-Airlock-Signature value of a notification body.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (s *webhookSink) deliver(ctx context.Context, e airlock.Event, m message) error {
	var payload any = body{Event: e, Title: m.Title, Text: m.Text}
	if s.slack {
		payload = map[string]string{"text": "*" + m.Title + "*\n" + m.Text}
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", s.url, bytes.NewReader(b))
	if err != nil {
		return errors.New("building the request failed")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Airlock")
	if !s.slack {
		req.Header.Set("X-Airlock-Event", e.Type)
		req.Header.Set("X-Airlock-Delivery", strconv.FormatInt(e.ID, 10))
		req.Header.Set("X-Airlock-Signature", Sign(s.secret, b))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text holds the URL
		}
		return fmt.Errorf("POST %s: %w", s.shown, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: status %d", s.shown, resp.StatusCode)
	}
	return nil
}
