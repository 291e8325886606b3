package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/webhook"
)

// Delivery is one webhook request as received: the source named in its URL
// ("" or "docker-registry" to detect it), its headers, query and raw body.
type Delivery struct {
	Source string
	Header http.Header
	Query  url.Values
	Body   []byte
}

// Intake authenticates, decodes and gates one webhook delivery, writing the
// approval requests, auto-added tags, rollouts and events it calls for in one
// transaction. A redelivery of a delivery id seen before gets the first
// answer again and writes nothing.
func (s *Service) Intake(ctx context.Context, in Delivery) (store.Answer, error) {
	if !webhook.Authenticate(s.WebhookSecret, in.Header, in.Query, in.Body) {
		return store.Answer{}, airlock.Errorf(airlock.EUNAUTHORIZED, "missing or invalid webhook secret")
	}
	d, err := webhook.Decode(in.Source, in.Header, in.Body)
	if err != nil {
		return store.Answer{}, err
	}
	if len(d.Pushes) == 0 {
		body, _ := json.Marshal(map[string]any{"message": "Nothing to deploy: " + d.Ignored, "rollout": nil})
		return store.Answer{Outcome: "ignored", Body: body}, nil
	}
	var answer store.Answer
	err = s.DB.InTx(ctx, "webhook/"+d.Source, func(tx *store.Tx) error {
		key := deliveryKey(d)
		if key != "" {
			first, claimed, err := tx.ClaimDelivery(ctx, d.Source, key)
			if err != nil || !claimed {
				answer = first
				return err
			}
		}
		if answer, err = s.gatePushes(ctx, tx, d.Pushes); err != nil {
			return err
		}
		if key == "" {
			return nil
		}
		return tx.SaveAnswer(ctx, d.Source, key, answer)
	})
	return answer, err
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

// gatePushes answers every push of a delivery. One push answers as the guide
// says (200, or 403 with the gate's body). Several answer 200 with a result
// per push: a registry that batches would otherwise retry the whole envelope
// for ever because one image in it is refused.
func (s *Service) gatePushes(ctx context.Context, tx *store.Tx, pushes []webhook.Push) (store.Answer, error) {
	results := make([]pushResult, len(pushes))
	for i, p := range pushes {
		r, err := s.gatePush(ctx, tx, p)
		if err != nil {
			return store.Answer{}, fmt.Errorf("push %s: %w", p.Ref, err)
		}
		results[i] = r
	}
	if len(results) == 1 {
		body, err := json.Marshal(results[0].body)
		return store.Answer{Refused: results[0].refused, Outcome: results[0].outcome, Body: body}, err
	}
	bodies := make([]map[string]any, len(results))
	for i, r := range results {
		r.body["allowed"] = !r.refused
		bodies[i] = r.body
	}
	body, err := json.Marshal(map[string]any{"results": bodies})
	return store.Answer{Outcome: "batch", Body: body}, err
}
