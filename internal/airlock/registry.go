package airlock

import "time"

// Registry kinds: the webhook format each sends.
var RegistryKinds = []string{"dockerhub", "ghcr", "harbor", "quay", "distribution", "acr", "generic"}

// Registry is a container registry an admin declared: its canonical host,
// the other spellings of that host, and its credentials. Its webhook secret
// is shown once, when made; its pull password never.
type Registry struct {
	ID          int64    `json:"id"`
	Host        string   `json:"host"`
	Aliases     []string `json:"aliases"`
	Kind        string   `json:"kind"`
	Insecure    bool     `json:"insecure"`
	Username    string   `json:"username"`
	Password    string   `json:"-"`
	PasswordSet bool     `json:"password_set"`
	// PollInterval is how often its tags are polled for pushes no
	// notification told of, as a Go duration ("5m"); "" when never.
	PollInterval string `json:"poll_interval"`
	// Mirror makes it the fleet's own registry: approved releases are
	// copied into it and devices pull from there (at most one).
	Mirror    bool      `json:"mirror"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Only in the answers that make a secret.
	WebhookURL    string `json:"webhook_url,omitempty"`
	WebhookSecret string `json:"webhook_secret,omitempty"`
}
