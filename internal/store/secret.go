package store

import (
	"crypto/sha256"
	"encoding/hex"
)

// HashSecret is how every stored secret (API token, device key) is kept.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
