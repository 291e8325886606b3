package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/airlock-iot/airlock/internal/store"
)

// lockStates reads (and on PostgreSQL locks, in uuid order) the stored
// target states of the devices.
func lockStates(ctx context.Context, tx *store.Tx, uuids []string) (map[string]string, error) {
	out := make(map[string]string, len(uuids))
	for chunk := range slices.Chunk(uuids, lockRows) {
		list, err := json.Marshal(chunk)
		if err != nil {
			return nil, err
		}
		rows, err := tx.Query(ctx, `SELECT device_uuid, state FROM device_target_state WHERE device_uuid IN (`+
			tx.DB().JSONStrings(1)+`) ORDER BY device_uuid`+tx.ForUpdate(), string(list))
		if err != nil {
			return nil, fmt.Errorf("read target states: %w", err)
		}
		if err := scanStates(rows, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lockRows is how many states one statement reads.
const lockRows = 1000

func scanStates(rows *store.Rows, into map[string]string) error {
	defer rows.Close()
	for rows.Next() {
		var uuid, state string
		if err := rows.Scan(&uuid, &state); err != nil {
			return err
		}
		into[uuid] = state
	}
	return store.WrapErr(rows.Err())
}
