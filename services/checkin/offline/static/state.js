// The page's state, shared by its modules; app.js sets the hooks.

export const state = {
  token: null,
  claims: null,
  deviceId: null,
  setup: {}, // {event, list, gate}
  direction: "in",
  record: null, // the event's offline pack record {slug, pack, etag, fetched_at}
  extraLists: null, // the event's lists from GET .../lists when there is no pack
  keys: null, // Map of WebCrypto keys by id; null: this browser has no Ed25519
  offline: false, // the server stopped answering, even though the browser is online
  hooks: {
    changed: () => {},
    signedOut: (_problem) => {},
    packChanged: () => {},
    notice: (_error) => {},
  },
};

export function isOnline() {
  return navigator.onLine && !state.offline;
}

export function currentList() {
  const lists = state.record?.pack?.lists || state.extraLists || [];
  const found = lists.find((l) => l.slug === state.setup.list);
  if (found) return found;
  // The main list exists for every event, even before anyone defined it.
  return { slug: state.setup.list || "main", name: "", policy: "single", sessions: [], ticket_types: [] };
}

export function setOffline(offline) {
  if (state.offline !== offline) {
    state.offline = offline;
    state.hooks.changed();
  }
}
