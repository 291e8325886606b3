package rollout

// Update strategies.
const (
	Immediate = "immediate" // one batch
	Staged    = "staged"    // batches of batch_size (or batch_percent), batch_delay between
	Canary    = "canary"    // a first batch of canary_size, then staged
	Manual    = "manual"    // planned like staged; created pending, started by an admin
)

// Strategies lists the valid strategies.
var Strategies = []string{Immediate, Staged, Canary, Manual}

// Plan splits devices into batches, keeping their order (callers sort).
// The batch size is batchSize, else ceil(batchPercent% of all devices),
// at least 1; with neither, the whole fleet is one batch. A canary plan
// takes the first min(canarySize, n) devices as batch one (none when
// canarySize < 1). An unknown strategy plans like staged. The batches sum
// to len(devices), none is empty, and no devices means no batches.
func Plan(devices []string, strategy string, batchSize, batchPercent, canarySize int) [][]string {
	n := len(devices)
	if n == 0 {
		return nil
	}
	if strategy == Immediate {
		return [][]string{devices[:n:n]}
	}
	var batches [][]string
	if strategy == Canary && canarySize > 0 {
		c := min(canarySize, n)
		batches = append(batches, devices[:c:c])
		devices = devices[c:]
	}
	size := batchLen(n, batchSize, batchPercent)
	for len(devices) > 0 {
		k := min(size, len(devices))
		batches = append(batches, devices[:k:k])
		devices = devices[k:]
	}
	return batches
}

func batchLen(n, size, percent int) int {
	switch {
	case size > 0:
		return size
	case percent > 0:
		percent = min(percent, 100)
		return max(1, (percent*n+99)/100)
	default:
		return n
	}
}

// BatchOf is the batch Plan puts the device at 1-based position ordinal
// in, out of n devices, without holding the list: a planner that streams
// the devices in chunks numbers them as it goes. A position past n (the
// fleet grew after it was counted) joins the last batch of n. When
// NeedsCount is false, n may be math.MaxInt: the fleet is not counted.
func BatchOf(ordinal, n int, strategy string, batchSize, batchPercent, canarySize int) int {
	if n < 1 || strategy == Immediate {
		return 1
	}
	ordinal = min(max(ordinal, 1), n)
	offset := 0
	if strategy == Canary && canarySize > 0 {
		c := min(canarySize, n)
		if ordinal <= c {
			return 1
		}
		ordinal, offset = ordinal-c, 1
	}
	size := batchLen(n, batchSize, batchPercent)
	return offset + (ordinal-1)/size + 1
}

// NeedsCount reports whether BatchOf depends on n beyond capping: only a
// batch_percent without a batch_size sizes batches by the fleet.
func NeedsCount(strategy string, batchSize, batchPercent int) bool {
	return strategy != Immediate && batchSize <= 0 && batchPercent > 0
}
