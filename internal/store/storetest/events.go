package storetest

import (
	"context"
	"testing"

	"github.com/airlock-iot/airlock/internal/store"
)

// AddEvents records events of {type, subject} in one transaction, each
// with the payload {"k":"v"} and actor "test".
func AddEvents(t testing.TB, db *store.DB, evs ...[2]string) {
	t.Helper()
	err := db.InTx(context.Background(), "test", func(tx *store.Tx) error {
		for _, e := range evs {
			if err := tx.AddEvent(context.Background(), e[0], e[1], map[string]string{"k": "v"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
