package gate

// Outcome names the row of the decision table that applied.
// The zero value is no row, so a forgotten Decision is never mistaken for one.
type Outcome int

const (
	Internal           Outcome = iota + 1 // internal prefix: no check
	Approved                              // approved image, known tag
	ApprovedNewTag                        // approved image, tag auto-added
	NotInRegistry                         // unknown image: approval requested
	NotApproved                           // image pending or rejected
	TagDeprecated                         // approved image, deprecated tag
	Unvouched                             // the sender cannot vouch for the registry
	RuleRefused                           // a supply-chain rule refuses the release
	RuleHeld                              // a supply-chain rule waits for evidence
	ReleaseNotApproved                    // release-scoped image, digest not approved: approval requested
)

var outcomeNames = [...]string{
	Internal:           "internal",
	Approved:           "approved",
	ApprovedNewTag:     "approved_new_tag",
	NotInRegistry:      "not_in_registry",
	NotApproved:        "not_approved",
	TagDeprecated:      "tag_deprecated",
	Unvouched:          "registry_unverified",
	RuleRefused:        "rule_refused",
	RuleHeld:           "rule_held",
	ReleaseNotApproved: "release_not_approved",
}

// String returns a stable snake_case name, fit for metric labels and events.
func (o Outcome) String() string {
	if o < Internal || int(o) >= len(outcomeNames) {
		return "unknown"
	}
	return outcomeNames[o]
}
