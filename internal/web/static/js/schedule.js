// When a rollout's next step happens and when its batches ran, from the
// timestamps the API gives. Plain functions of the rollout and the time.

// nextStep is the rollout's next timed step, {what, at} (at in ms), or null:
// the next batch after the delay, or the maintenance window it waits for.
export function nextStep(r, now = Date.now()) {
  if (r.status === 'waiting_for_window' && r.next_window_at) return { what: 'Maintenance window opens', at: Date.parse(r.next_window_at) };
  if (r.status !== 'in_progress' || !(r.current_batch < r.total_batches)) return null;
  if (r.next_batch_at) return { what: 'Next batch', at: Date.parse(r.next_batch_at) };
  if (!r.batch_done_at || !r.batch_delay_seconds) return null;
  const at = Date.parse(r.batch_done_at) + r.batch_delay_seconds * 1000;
  // A next batch long overdue is waiting on something else (the monitor, a window): no countdown.
  return at > now - 60000 ? { what: 'Next batch', at } : null;
}

// countdown renders the time from now to at: "in 2m 05s", or "any moment now".
export function countdown(at, now) {
  const secs = Math.ceil((at - now) / 1000);
  if (secs <= 0) return 'any moment now';
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor((secs % 3600) / 60);
  const ss = secs % 60;
  const pad = (n) => String(n).padStart(2, '0');
  if (hh) return `in ${hh}h ${pad(mm)}m ${pad(ss)}s`;
  if (mm) return `in ${mm}m ${pad(ss)}s`;
  return `in ${ss}s`;
}

// batchTimes is when batch b of r started and finished, and its state
// (pending, running, done, stopped or skipped), from the rollout's batch_times.
export function batchTimes(r, b) {
  const t = (r.batch_times || []).find((x) => x.batch === b.batch);
  return t ? { started: t.started_at, finished: t.completed_at, status: t.status } : {};
}
