// Package intake receives pushes: it authenticates and decodes webhook
// deliveries, passes each push through the gate, and writes what the
// decision calls for.
package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/imageref"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service/releases"
	"github.com/airlock-iot/airlock/internal/service/rollouts"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/catalog"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// Intake is the push intake over one database.
type Intake struct {
	DB            *store.DB
	Log           *slog.Logger
	Internal      imageref.Prefixes
	WebhookSecret string // the global webhook secret
	// DeliveryRetention is how long a delivery's answer is kept for its
	// redeliveries; DefaultDeliveryRetention when zero.
	DeliveryRetention time.Duration
	Engine            rollouts.Engine
	Releases          releases.Releases
	// Prejudge works out, before the transaction, what the supply-chain
	// rules say of the pushes; Refusal reads it back for one push, for the
	// gate. Both may be nil.
	Prejudge func(ctx context.Context, pushes []webhook.Push) context.Context
	Refusal  func(ctx context.Context, p webhook.Push) *rules.Outcome
}

// Delivery is one webhook request as received: the source named in its URL
// ("" or "docker-registry" to detect it), its headers (an http.Header,
// canonical keys), query and raw body.
type Delivery struct {
	Source string
	Header map[string][]string
	Query  url.Values
	Body   []byte
}

// DefaultDeliveryRetention is how long a delivery's answer is kept for
// redeliveries when Service.DeliveryRetention is not set.
const DefaultDeliveryRetention = 7 * 24 * time.Hour

// AuthenticateWebhook says whose secret a delivery carries: a declared
// registry's own, looked up by hash, or the global one. The sender it
// returns is all a delivery can say about where it comes from.
func (s Intake) AuthenticateWebhook(ctx context.Context, in Delivery) (webhook.Sender, error) {
	for _, c := range webhook.Candidates(in.Header, in.Query) {
		r, err := catalog.RegistryBySecret(ctx, s.DB, c)
		switch {
		case err == nil:
			return webhook.Sender{RegistryID: r.ID, Host: r.Host, Aliases: r.Aliases}, nil
		case airlock.ErrorCode(err) != airlock.ENOTFOUND:
			return webhook.Sender{}, err
		}
	}
	if webhook.Authenticate(s.WebhookSecret, in.Header, in.Query, in.Body) {
		return webhook.Sender{}, nil
	}
	return webhook.Sender{}, airlock.Errorf(airlock.EUNAUTHORIZED, "missing or invalid webhook secret")
}

// Intake decodes and gates one delivery from an authenticated sender,
// writing the approval requests, auto-added tags, rollouts and events it
// calls for in one transaction. A redelivery of an answer that allowed or
// acted gets that answer again and writes nothing; a refused one is decided
// afresh.
func (s Intake) Intake(ctx context.Context, from webhook.Sender, in Delivery) (catalog.Answer, error) {
	d, err := webhook.Decode(in.Source, in.Header, in.Body)
	if err != nil {
		return catalog.Answer{}, err
	}
	if len(d.Pushes) == 0 && len(d.Bad) == 0 {
		body, _ := json.Marshal(map[string]any{"message": "Nothing to deploy: " + d.Ignored, "rollout": nil})
		return catalog.Answer{Outcome: "ignored", Body: body}, nil
	}
	if s.Prejudge != nil {
		ctx = s.Prejudge(ctx, d.Pushes)
	}
	var answer catalog.Answer
	var results []pushResult
	err = s.DB.InTx(ctx, "webhook/"+d.Source, func(tx *store.Tx) error {
		key, source := deliveryKey(d), d.Source+"@"+from.Key()
		claim := catalog.ClaimNew
		if key != "" {
			var err error
			if answer, claim, err = catalog.ClaimDelivery(ctx, tx, source, key, tx.Now().Add(-s.retention())); err != nil || claim == catalog.ClaimReplay {
				return err
			}
		}
		var err error
		if results, err = s.gatePushes(ctx, tx, from, d, claim == catalog.ClaimRedecide); err != nil {
			return err
		}
		if answer, err = answerOf(results); err != nil {
			return err
		}
		if key == "" {
			return nil
		}
		return catalog.SaveAnswer(ctx, tx, source, key, answer)
	})
	if err == nil && s.resolvePending(ctx, results) {
		answer, err = answerOf(results)
	}
	answer.Forbid = answer.Refused && !webhook.Answers2xx(from, d.Source)
	return answer, err
}

// resolvePending resolves, after commit, the releases the delivery left
// resolving, each within the few seconds the webhook may wait, and puts
// what became of them in the answer. It reports whether there were any.
func (s Intake) resolvePending(ctx context.Context, results []pushResult) bool {
	found := false
	for _, r := range results {
		if r.pending == 0 {
			continue
		}
		found = true
		out, err := s.Releases.ResolveAfterPush(ctx, r.pending)
		if err != nil {
			s.Log.WarnContext(ctx, "resolving a pushed release failed; the resolver will retry", "release_id", r.pending, "err", err)
			continue
		}
		withRelease(r.body, out)
	}
	return found
}

func (s Intake) retention() time.Duration {
	if s.DeliveryRetention > 0 {
		return s.DeliveryRetention
	}
	return DefaultDeliveryRetention
}

// deliveryKey identifies a delivery for idempotency: the sender's delivery
// id, or the ids of its pushes; "" when the sender gives none.
func deliveryKey(d webhook.Delivery) string {
	var ids []string
	for _, p := range d.Pushes {
		if p.DeliveryID != "" && (len(ids) == 0 || ids[len(ids)-1] != p.DeliveryID) {
			ids = append(ids, p.DeliveryID)
		}
	}
	if len(ids) != len(d.Pushes) && len(ids) != 1 {
		return ""
	}
	key := strings.Join(ids, ",")
	if len(key) > 200 {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	return key
}

// gatePushes answers every push of a delivery, and every event it could not
// read.
func (s Intake) gatePushes(ctx context.Context, tx *store.Tx, from webhook.Sender, d webhook.Delivery, redecide bool) ([]pushResult, error) {
	var results []pushResult
	for _, p := range d.Pushes {
		r, err := s.gatePush(ctx, tx, from, p, redecide)
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	for _, b := range d.Bad {
		results = append(results, badEvent(b))
	}
	return results, nil
}

// answerOf is the answer to a delivery's results. One push answers with its
// own body; several with a result each, so that one refused push never
// makes a registry retry the others.
func answerOf(results []pushResult) (catalog.Answer, error) {
	refused, acted := false, false
	for _, r := range results {
		refused, acted = refused || r.refused, acted || !r.refused
		r.body["allowed"] = r.allowed
	}
	answer := catalog.Answer{Refused: refused && !acted, Outcome: "batch"}
	var err error
	if len(results) == 1 {
		answer.Outcome = results[0].outcome
		answer.Body, err = json.Marshal(results[0].body)
		return answer, err
	}
	bodies := make([]map[string]any, len(results))
	for i, r := range results {
		bodies[i] = r.body
	}
	answer.Body, err = json.Marshal(map[string]any{"results": bodies})
	return answer, err
}

// badEvent answers an event that could not be read.
func badEvent(b webhook.Bad) pushResult {
	body := map[string]any{"error": "Bad event", "message": b.Message, "event_index": b.Index}
	if b.ID != "" {
		body["event_id"] = b.ID
	}
	return pushResult{refused: true, outcome: "bad_event", body: body}
}
