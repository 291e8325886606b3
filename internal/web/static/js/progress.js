// Rollout progress: how many of a rollout's devices are settled, drawn as
// a bar with a segment per outcome.

import { h } from './dom.js';

// Device outcomes in the order the bar draws them; pending, updating,
// baking and deferred devices are still to go.
export const outcomes = ['succeeded', 'failed', 'timed_out', 'rolled_back', 'skipped', 'cancelled'];
const terminal = ['completed', 'completed_with_failures', 'failed', 'rolled_back', 'cancelled', 'superseded'];

export function isActive(r) {
  return !terminal.includes(r.status);
}

// statusLabel is a status as a reader says it: "completed_with_failures"
// is "completed with failures".
export function statusLabel(s) {
  return String(s).replaceAll('_', ' ');
}

// failures counts a rollout's devices that failed or timed out.
export function failures(r) {
  const c = r.counts || {};
  return (c.failed || 0) + (c.timed_out || 0);
}

// percent of the rollout's devices that are settled. A finished rollout
// with no devices counts as done.
export function percent(r) {
  const counts = r.counts || {};
  const total = r.total_devices || 0;
  if (!total) return r.status === 'completed' || r.status === 'completed_with_failures' ? 100 : 0;
  const done = outcomes.reduce((n, s) => n + (counts[s] || 0), 0);
  return Math.round((done * 100) / total);
}

// bar draws the progress of r; mini is the small one of the list.
export function bar(r, mini = false) {
  const el = h('div', { class: `progress${mini ? ' mini' : ''}`, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-label': mini ? `Rollout ${r.id} progress` : 'Rollout progress', testid: mini ? 'rollout-progress-mini' : 'rollout-progress' });
  return updateBar(el, r);
}

// updateBar redraws el in place, so its segments slide rather than flicker.
export function updateBar(el, r) {
  const counts = r.counts || {};
  const total = r.total_devices || 0;
  const pct = percent(r);
  el.setAttribute('aria-valuenow', pct);
  el.setAttribute('aria-valuetext', `${pct}%`);
  el.dataset.failures = String(failures(r));
  for (const s of [...outcomes, 'updating', 'baking']) {
    let seg = el.querySelector(`.seg-${s}`);
    if (!seg) {
      seg = h('span', { class: `seg-${s}` });
      el.append(seg);
    }
    const n = counts[s] || 0;
    seg.style.width = total ? `${(n * 100) / total}%` : '0';
    seg.title = `${n} ${s.replace('_', ' ')}`;
  }
  return el;
}
