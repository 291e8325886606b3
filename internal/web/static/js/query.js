// A list's state in the URL: its filters, sort and page live in the hash
// after the route (#/rollouts?status=rolled_back&page=2), so a reload, a
// shared link and back/forward all bring the same view back.

// urlState reads the fields of defaults from the page's query (a number
// default makes a positive integer field) and keeps them in the URL:
// set(changes) records a new history entry, replace(changes) does not (for
// typing). On back/forward the state is read again and apply() called.
export function urlState(ctx, defaults, apply) {
  const state = {};
  const read = (q) => {
    for (const [k, d] of Object.entries(defaults)) {
      const v = q.get(k);
      if (v === null) state[k] = d;
      else if (typeof d === 'number') state[k] = /^[1-9]\d{0,6}$/.test(v) ? Number(v) : d;
      else state[k] = v;
    }
  };
  read(ctx.query);
  ctx.onQuery((q) => {
    read(q);
    apply();
  });
  const save = (push) => ctx.setQuery(Object.entries(state).filter(([k, v]) => v !== defaults[k]), push);
  return {
    state,
    set(changes) {
      Object.assign(state, changes);
      save(true);
    },
    replace(changes) {
      Object.assign(state, changes);
      save(false);
    },
  };
}
