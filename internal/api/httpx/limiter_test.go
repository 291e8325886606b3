package httpx

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterIsBounded(t *testing.T) {
	l := NewLimiter(1)
	l.max = 3
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10 {
		l.Wait(fmt.Sprint("key", i), t0.Add(time.Duration(i)*time.Second))
	}
	if l.Size() != 3 {
		t.Fatalf("%d buckets, want the bound 3", l.Size())
	}
	for _, k := range []string{"key7", "key8", "key9"} {
		if _, ok := l.buckets[k]; !ok {
			t.Errorf("%s, among the newest, was forgotten", k)
		}
	}
}

func TestLimiterForgetsIdleBuckets(t *testing.T) {
	l := NewLimiter(1)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.Wait("old", t0)
	l.Wait("new", t0.Add(11*time.Minute))
	if _, ok := l.buckets["old"]; ok || l.Size() != 1 {
		t.Fatalf("buckets %v: want only the new one", l.buckets)
	}
}
