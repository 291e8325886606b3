// Package supplyapi holds the HTTP handlers of the supply-chain rules, the
// evidence they judge by (scan reports, check results) and the audit
// export. api routes to them and authenticates; they know HTTP and the
// service/supply use cases, nothing else.
package supplyapi

import (
	"log/slog"
	"net/http"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/api/httpx"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/service/supply"
)

// Handlers serves the routes; Actor names the caller for the audit trail.
type Handlers struct {
	Rules   supply.Rules
	Reports supply.Reports
	Audit   supply.Audit
	Checker *supply.Checker
	Actor   func(*http.Request) string
	Log     *slog.Logger
	// Filter reads an event filter from the query; Vouch authenticates a
	// webhook body and limits its sender.
	Filter func(*http.Request) (airlock.EventFilter, error)
	Vouch  func(w http.ResponseWriter, r *http.Request, body []byte) error
}

// ListRules lists every rule, in evaluation order.
func (h Handlers) ListRules(w http.ResponseWriter, r *http.Request) error {
	items, err := h.Rules.List(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[rules.Rule]{Items: items, Total: len(items)})
	return nil
}

// GetRule reads one rule.
func (h Handlers) GetRule(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := h.Rules.Get(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rule)
	return nil
}

// CreateRule adds a rule; its kind fields sit beside the common ones.
func (h Handlers) CreateRule(w http.ResponseWriter, r *http.Request) error {
	var in rules.Rule
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	rule, err := h.Rules.Create(r.Context(), h.Actor(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, rule)
	return nil
}

// ReplaceRule puts a whole new rule in the place of one.
func (h Handlers) ReplaceRule(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in rules.Rule
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	rule, err := h.Rules.Replace(r.Context(), h.Actor(r), id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rule)
	return nil
}

// DeleteRule removes a rule.
func (h Handlers) DeleteRule(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Rules.Delete(r.Context(), h.Actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
