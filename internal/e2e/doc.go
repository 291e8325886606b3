// Package e2e holds end-to-end tests of rollouts: real servers over SQLite
// and PostgreSQL, the monitor running on its own clock, and a simulated
// fleet that polls its target state and reports back over HTTP.
package e2e
