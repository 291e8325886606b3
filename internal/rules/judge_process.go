package rules

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// judgeLabels fails on a missing or mismatched label: a digest's labels
// never change, so no evidence can arrive to fix it.
func judgeLabels(v *Verdict, l *Labels, rel Release) {
	for _, req := range l.Require {
		val, ok := rel.Labels[req.Key]
		if !ok {
			val, ok = rel.Annotations[req.Key]
		}
		if !ok {
			v.Result, v.Reason = Fail, fmt.Sprintf("label %q is missing", req.Key)
			return
		}
		if req.Pattern == "" {
			continue
		}
		re, err := regexp.Compile(`^(?:` + req.Pattern + `)$`)
		if err != nil || !re.MatchString(val) {
			v.Result, v.Reason = Fail, fmt.Sprintf("label %q = %q does not match %q", req.Key, val, req.Pattern)
			return
		}
	}
	v.Result, v.Reason = Pass, fmt.Sprintf("all %d required labels are present", len(l.Require))
}

func judgeApprovals(v *Verdict, a *Approvals, req *ApprovalRequest, now time.Time) {
	if req == nil {
		v.Result, v.Reason = Wait, "no approval request yet"
		v.WaitingFor = plural(max(a.Required, 1), "approval")
		return
	}
	st := State(a, *req, now)
	switch st.Status {
	case StatusApproved:
		v.Result, v.Reason = Pass, fmt.Sprintf("approved by %d of %d required", st.Approvals, st.Required)
	case StatusRejected:
		v.Result, v.Reason = Fail, "the approval request was rejected"
	case StatusExpired:
		v.Result = Fail
		v.Reason = "the approval request expired at " + st.ExpiresAt.UTC().Format(time.RFC3339)
	default:
		v.Result, v.WaitingFor = Wait, plural(st.Required-st.Approvals, "more approval")
		v.Reason = fmt.Sprintf("%d of %d approvals", st.Approvals, st.Required)
	}
}

// judgeChecks fails on any required check's failure, else waits for those
// not yet successful.
func judgeChecks(v *Verdict, c *Checks, checks map[string]Check) {
	var waiting []string
	for _, name := range c.Required {
		switch checks[name].Status {
		case CheckFailure:
			v.Result, v.Reason = Fail, fmt.Sprintf("check %s failed", name)
			if s := checks[name].Summary; s != "" {
				v.Reason += ": " + s
			}
			return
		case CheckSuccess:
		default:
			waiting = append(waiting, name)
		}
	}
	if len(waiting) == 0 {
		v.Result, v.Reason = Pass, fmt.Sprintf("all %d required checks succeeded", len(c.Required))
		return
	}
	v.Result, v.WaitingFor = Wait, "check "+strings.Join(waiting, ", ")
	v.Reason = fmt.Sprintf("%d of %d required checks have not succeeded yet", len(waiting), len(c.Required))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// summary joins the first n items and says how many more there are.
func summary(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:n], "; ") + fmt.Sprintf("; and %d more", len(items)-n)
}
