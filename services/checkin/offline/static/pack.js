// The offline pack of an event: downloaded whole once, then kept fresh with deltas
// (?since=<cursor>) and ETags, and held in IndexedDB between visits.

import { getPack, putPack } from "./store.js";

export class HttpError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// The pack as the page uses it: tickets by id.
function normalized(raw) {
  const tickets = {};
  for (const ticket of raw.tickets || []) tickets[ticket.id] = ticket;
  // Tickets carry their status too; decide() looks at both.
  return {
    event: raw.event,
    keys: raw.keys || [],
    lists: raw.lists || [],
    tickets,
    revoked: [...new Set(raw.revoked || [])],
    checked_in: raw.checked_in || [],
    cursor: raw.cursor,
    generated_at: raw.generated_at,
  };
}

export function merge(pack, delta) {
  if (delta.full) return normalized(delta);
  const tickets = { ...pack.tickets };
  for (const ticket of delta.tickets || []) tickets[ticket.id] = ticket;
  const revoked = new Set(pack.revoked);
  for (const id of delta.revoked || []) revoked.add(id);
  for (const ticket of delta.tickets || []) {
    if (ticket.status === "revoked") revoked.add(ticket.id);
  }
  const seen = new Set(pack.checked_in.map((c) => `${c.ticket_id}|${c.list}|${c.at}`));
  const checkedIn = pack.checked_in.concat(
    (delta.checked_in || []).filter((c) => !seen.has(`${c.ticket_id}|${c.list}|${c.at}`)),
  );
  return {
    event: delta.event || pack.event,
    // A delta carries every key and list anew: one removed meanwhile must go here too.
    keys: delta.keys ?? pack.keys,
    lists: delta.lists ?? pack.lists,
    tickets,
    revoked: [...revoked],
    checked_in: checkedIn,
    cursor: delta.cursor ?? pack.cursor,
    generated_at: delta.generated_at ?? pack.generated_at,
  };
}

export async function storedPack(slug) {
  return (await getPack(slug)) || null;
}

// Download what changed since the stored pack (or all of it), store and return the
// record {slug, pack, etag, fetched_at}; the stored record when nothing changed.
export async function refreshPack(slug, token, timeoutMs = 15000) {
  const stored = await storedPack(slug);
  const url = new URL(`/api/v1/events/${encodeURIComponent(slug)}/offline-pack`, location.origin);
  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  if (stored?.pack?.cursor) {
    url.searchParams.set("since", stored.pack.cursor);
    if (stored.etag) headers["If-None-Match"] = stored.etag;
  }
  const response = await fetch(url, {
    headers,
    cache: "no-store",
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status === 304 && stored) {
    stored.fetched_at = new Date().toISOString();
    await putPack(stored);
    return stored;
  }
  if (response.status === 400 && url.searchParams.has("since")) {
    // The server no longer understands the cursor (say, after a restore): start over.
    await putPack({ ...stored, pack: { ...stored.pack, cursor: null }, etag: null });
    return refreshPack(slug, token, timeoutMs);
  }
  if (!response.ok) throw new HttpError(response.status, await problemOf(response));
  const body = await response.json();
  const pack = stored && !body.full ? merge(stored.pack, body) : normalized(body);
  const record = { slug, pack, etag: response.headers.get("ETag"), fetched_at: new Date().toISOString() };
  await putPack(record);
  return record;
}
