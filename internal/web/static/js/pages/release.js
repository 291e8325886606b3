// One release: its content (digest, platforms, pinned), where it stands and
// why, the decision taken on it with each rule's verdict, the latest scan
// report's findings by severity, and its rollout. An admin may clear a
// known-bad release, and deploy it again.

import { get, post } from '../api.js';
import { h, clear, ago, badge, bytes, table, errorBox, loading, toast, ask, focusOn } from '../dom.js';
import { statusLabel } from '../progress.js';
import { repository, releaseBadge, platformList, knownBadOf } from './releases.js';

const severities = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];

export function releasePage(main, ctx) {
  const id = ctx.params[0];
  const head = h('div', {}, h('h1', {}, `Release #${id}`), loading());
  const decision = h('section', { 'aria-labelledby': 'decision-title' });
  const scan = h('section', { 'aria-labelledby': 'scan-title' });
  clear(main, h('p', { class: 'crumbs' }, h('a', { href: '#/releases' }, '← Releases')), head, decision, scan);

  async function load() {
    try {
      const [r, holds] = await Promise.all([get(`/releases/${id}`), get('/known-bad')]);
      renderHead(r, knownBadOf(r, holds.items));
      renderDecision(r.decision || {});
      await loadScan(r);
    } catch (err) {
      clear(head, h('h1', {}, `Release #${id}`), errorBox(err));
    }
  }

  function renderHead(r, bad) {
    const knownBad = Boolean(bad) || r.status === 'known_bad' || r.hold === 'known_bad';
    const facts = [
      ['Image', h('span', { class: 'mono' }, `${repository(r)}:${r.tag}`)],
      ['Digest', r.digest ? h('span', { class: 'mono small', testid: 'release-digest' }, r.digest) : h('span', { class: 'muted' }, 'not known')],
      ['Pinned', h('span', { testid: 'release-pinned' }, r.pinned ? 'yes: devices get this digest' : 'no: devices get the tag')],
      ['Platforms', r.platforms && r.platforms.length ? platformList(r.platforms) : h('span', { class: 'muted' }, 'not known')],
      ['Size', sizeOf(r)],
      r.mirror && ['Mirror', mirrorOf(r.mirror)],
      r.media_type && ['Media type', h('span', { class: 'mono small' }, r.media_type)],
      ['Status', releaseBadge(r, bad)],
      r.reason && ['Why', h('span', { testid: 'release-reason' }, r.reason)],
      ['Rollout', r.rollout_id ? h('a', { href: `#/rollouts/${r.rollout_id}`, testid: 'release-rollout' }, `Rollout #${r.rollout_id}`) : h('span', { class: 'muted' }, 'none')],
      ['Source', `${r.source}${r.pusher ? `, pushed by ${r.pusher}` : ''}`],
      ['Pushed', ago(r.pushed_at)],
      r.status === 'resolving' && r.next_attempt_at && ['Next attempt', ago(r.next_attempt_at)],
    ].filter(Boolean);
    clear(head,
      h('div', { class: 'heading' },
        h('h1', {}, `Release #${r.id}: ${r.name}:${r.tag}`),
        h('span', { class: 'spacer' }),
        knownBad && ctx.can('admin') && h('span', { class: 'controls' },
          h('button', { type: 'button', class: 'danger', testid: 'clear-known-bad', 'data-write': '', onclick: () => clearBad(false) }, 'Clear known-bad…'),
          h('button', { type: 'button', testid: 'clear-deploy', 'data-write': '', onclick: () => clearBad(true) }, 'Clear & deploy…'))),
      knownBad && h('p', { class: 'notice warn', testid: 'known-bad' },
        'A rollout of this content was rolled back, so pushes of it start no rollout until an admin clears it.',
        bad && bad.reason && h('span', {}, ` ${bad.reason}.`),
        bad && bad.rollout_id && [' ', h('a', { href: `#/rollouts/${bad.rollout_id}` }, `See rollout #${bad.rollout_id}`)]),
      h('dl', { class: 'facts card' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  }

  function renderDecision(d) {
    const verdicts = (d.rules && d.rules.verdicts) || [];
    const plat = d.platforms || {};
    const facts = [
      d.action && ['Action', d.action],
      d.gate && ['Gate', d.gate],
      d.rules && ['Rules', h('span', { testid: 'rules-outcome' }, badge(d.rules.status, statusLabel(d.rules.status)),
        d.rules.rule && ` by rule ${d.rules.rule}`, d.rules.until && [' until ', ago(d.rules.until)])],
      d.policy_id && ['Policy', h('a', { href: `#/policies/${d.policy_id}` }, `Policy #${d.policy_id}`)],
      d.direction && ['Direction', d.direction.downgrade ? `a downgrade for ${d.direction.devices} device(s)${d.direction.allowed ? ', allowed' : ', not allowed'}` : 'not a downgrade'],
      plat.eligible && ['Platforms', `${plat.eligible.length} eligible, ${(plat.skipped || []).length} skipped${plat.hold ? ', held for missing platforms' : ''}`],
      d.reason && ['Reason', h('span', { testid: 'decision-reason' }, d.reason)],
      d.decided_at && ['Decided', ago(d.decided_at)],
    ].filter(Boolean);
    const rows = verdicts.map((v) => h('tr', { testid: 'verdict-row', 'data-result': v.result },
      h('td', {}, h('a', { href: '#/rules' }, v.rule)),
      h('td', {}, v.kind),
      h('td', {}, v.mode),
      h('td', {}, badge(verdictClass(v.result), v.result)),
      h('td', { class: 'small' }, v.reason, v.waiting_for && h('div', { class: 'muted' }, `waiting for ${v.waiting_for}`))));
    clear(decision, h('h2', { id: 'decision-title' }, 'Decision'),
      facts.length ? h('dl', { class: 'facts card', testid: 'decision' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))
        : h('p', { class: 'muted' }, 'Nothing decided yet.'),
      h('h3', {}, 'Rule verdicts'),
      table('Rule verdicts', ['Rule', 'Kind', 'Mode', 'Result', 'Why'], rows, 'No rule applies to this release.', { testid: 'verdicts' }));
  }

  async function loadScan(r) {
    const title = h('h2', { id: 'scan-title' }, 'Scan findings');
    if (!r.digest) {
      clear(scan, title, h('p', { class: 'muted' }, 'No digest, so no scan report.'));
      return;
    }
    let rep;
    try {
      rep = await get(`/scan-reports/${encodeURIComponent(r.digest)}`);
    } catch (err) {
      clear(scan, title, err.status === 404 ? h('p', { class: 'muted', testid: 'no-scan' }, 'No scan report for this digest.') : errorBox(err));
      return;
    }
    const counts = rep.counts || {};
    const known = [...severities, ...Object.keys(counts).filter((s) => !severities.includes(s))];
    const rank = (f) => (severities.includes(f.severity) ? severities.indexOf(f.severity) : severities.length);
    const rows = [...(rep.findings || [])].sort((a, b) => rank(a) - rank(b)).slice(0, 200).map((f) => h('tr', { testid: 'finding-row' },
      h('td', { class: 'mono' }, f.id), h('td', {}, badge(`sev-${f.severity}`, f.severity)), h('td', { class: 'mono small' }, f.package),
      h('td', { class: 'mono small' }, f.installed_version || ''), h('td', { class: 'mono small' }, f.fixed_version || '')));
    clear(scan, title,
      h('p', { class: 'small muted' }, `${rep.scanner} report, scanned `, ago(rep.scanned_at)),
      h('ul', { class: 'chips', 'aria-label': 'Findings by severity', testid: 'severity-counts' },
        known.filter((s) => counts[s] || severities.slice(0, 4).includes(s)).map((s) =>
          h('li', { testid: `severity-${s}` }, h('b', {}, String(counts[s] || 0)), s))),
      rows.length > 0 && table('Findings', ['Vulnerability', 'Severity', 'Package', 'Installed', 'Fixed in'], rows, '', { testid: 'findings' }));
  }

  async function clearBad(deploy) {
    const ok = await ask({ title: deploy ? 'Clear and deploy this release?' : 'Clear this known-bad release?',
      text: deploy ? 'Pushes of this content may roll out again, and it rolls out now under its policy.'
        : 'Pushes of this content may roll out again. Nothing is deployed now.',
      confirm: deploy ? 'Clear & deploy' : 'Clear', danger: true });
    if (ok === null) return;
    try {
      const res = await post(`/releases/${id}/clear`, { deploy });
      const out = res.deployed || {};
      toast(out.rollout ? `Cleared; rollout #${out.rollout.id} started.` : `Cleared.${out.reason ? ` ${out.reason}` : ''}`);
    } catch (err) {
      toast(err.message, true);
    }
    await load();
    focusOn(head.querySelector('[data-testid=release-status]'));
  }

  ctx.on((e) => { if (e.subject === `release/${id}` || e.type === 'image.known_bad_cleared') load(); });
  load();
}

// sizeOf renders the compressed size of r, and of each platform.
function sizeOf(r) {
  if (!r.size_known) return h('span', { class: 'muted', testid: 'release-size' }, 'not known');
  const per = r.platform_sizes || [];
  return h('span', { testid: 'release-size' }, bytes(r.size_bytes),
    per.length > 0 && h('ul', { class: 'plain small', testid: 'platform-sizes' }, per.map((p) =>
      h('li', { testid: 'platform-size' }, h('span', { class: 'mono' }, [p.platform.os, p.platform.architecture, p.platform.variant].filter(Boolean).join('/')),
        `: ${bytes(p.size_bytes)}`))));
}

// mirrorOf renders the copy of a release into the mirror: its state, how
// far it got, and why the last attempt failed.
function mirrorOf(m) {
  const pct = m.bytes_total ? Math.round((m.bytes_done * 100) / m.bytes_total) : (m.state === 'verified' ? 100 : 0);
  const cls = { verified: 'succeeded', retrying: 'pending', copying: 'in_progress' }[m.state] || m.state;
  return h('div', { testid: 'release-mirror', 'data-state': m.state },
    h('div', {}, badge(cls, m.state), ' ', h('span', { class: 'mono small' }, m.mirror)),
    h('progress', { max: 100, value: pct, 'aria-label': 'Mirror copy progress', testid: 'mirror-progress' }),
    h('div', { class: 'small', testid: 'mirror-counts' },
      `${m.blobs_done} of ${m.blobs_total} blobs, ${bytes(m.bytes_done)} of ${bytes(m.bytes_total)} (${bytes(m.bytes_copied)} copied)`),
    m.reference && h('div', { class: 'mono small wrap', testid: 'mirror-reference' }, m.reference),
    m.attempts > 0 && h('div', { class: 'small' }, `${m.attempts} failed attempt(s)`,
      m.state === 'retrying' && m.next_attempt_at && [', next ', ago(m.next_attempt_at)]),
    m.last_error && h('div', { class: 'small error-text', testid: 'mirror-error' }, m.last_error));
}

function verdictClass(result) {
  return { pass: 'succeeded', fail: 'failed', wait: 'pending' }[result] || result;
}
