// Talking to the checkin service in the background: uploading queued scans
// (POST /api/v1/scans/batch) and keeping the offline pack fresh, with backoff while the
// server cannot be reached.

import { importKeys } from "./codes.js";
import { HttpError, problemOf, refreshPack } from "./pack.js";
import { setOffline, state } from "./state.js";
import { pendingCount, pendingScans, putScan } from "./store.js";
import { currentLang } from "./ui.js";

const BATCH = 100;
const PACK_EVERY_MS = 60_000;
const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 60_000;
let timer = 0;
let retryMs = FIRST_RETRY_MS;
let running = Promise.resolve();
let queued = false;
let packAt = 0;

export function headers(extra = {}) {
  return {
    Authorization: `Bearer ${state.token}`,
    "Accept-Language": currentLang(),
    ...extra,
  };
}

// A failure that means "the server cannot be reached now", as opposed to an answer.
export function unreachable(error) {
  if (error instanceof HttpError) return error.status >= 500 || error.status === 429;
  return true; // network errors, timeouts
}

function wire(scan) {
  const item = {
    scan_id: scan.scan_id,
    code: scan.code,
    gate: scan.gate,
    list: scan.list,
    direction: scan.direction,
    device_id: scan.device_id,
    scanned_at: scan.scanned_at,
    // As online: a ticket of another event covered by the same token is wrong_event here,
    // and must not become an entry of that other event on upload.
    event: scan.event,
  };
  if (scan.local_result) item.local_result = scan.local_result;
  return item;
}

// Which items of a batch a 400 names (fields like "scans[3].scanned_at").
function rejectedIndexes(problem) {
  const found = new Set();
  for (const error of problem?.errors || []) {
    const match = /scans(?:\[|\.)(\d+)/.exec(error.field || "");
    if (match) found.add(Number(match[1]));
  }
  return found;
}

async function uploadBatch(batch) {
  const response = await fetch("/api/v1/scans/batch", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify({ scans: batch.map(wire) }),
    signal: AbortSignal.timeout(20_000),
  });
  if (response.status === 400) {
    // A scan the server will never take (a clock far off, say) must not block the rest.
    const problem = await problemOf(response);
    const bad = rejectedIndexes(problem);
    if (!bad.size) throw new HttpError(400, problem);
    const reason = problem.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    for (const i of bad) {
      const scan = batch[i];
      if (!scan) continue;
      delete scan.pending;
      await putScan({ ...scan, result: "rejected", conflict: true, error: reason });
    }
    return;
  }
  if (!response.ok) throw new HttpError(response.status, await problemOf(response));
  const body = await response.json();
  const byId = new Map(batch.map((s) => [s.scan_id, s]));
  for (const result of body.results || []) {
    const scan = byId.get(result.scan_id);
    if (!scan) continue;
    delete scan.pending;
    scan.result = result.result;
    scan.message = result.message;
    scan.conflict = Boolean(result.conflict);
    scan.holder = result.ticket?.holder_name ?? scan.holder ?? null;
    scan.first = result.first_checkin ?? null;
    await putScan(scan);
  }
}

async function upload() {
  for (;;) {
    const batch = await pendingScans(BATCH);
    if (!batch.length) return;
    await uploadBatch(batch);
    state.hooks.changed();
  }
}

export async function loadPack(force = false) {
  const slug = state.setup.event;
  if (!slug || (!force && Date.now() - packAt < PACK_EVERY_MS)) return;
  const record = await refreshPack(slug, state.token);
  packAt = Date.now();
  if (state.setup.event !== slug) return;
  if (!state.record || JSON.stringify(record.pack.keys) !== JSON.stringify(state.record.pack.keys)) {
    state.keys = await importKeys(record.pack.keys);
  }
  state.record = record;
  state.hooks.packChanged();
}

async function tick() {
  queued = false;
  if (!state.token) return;
  try {
    if (!navigator.onLine) throw new Error("offline");
    await upload();
    await loadPack(state.offline);
    setOffline(false);
    state.hooks.notice(null);
    retryMs = FIRST_RETRY_MS;
    // A scan queued while this run was under way goes up soon, not with the next pack.
    schedule((await pendingCount()) ? FIRST_RETRY_MS : PACK_EVERY_MS);
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) {
      state.hooks.signedOut(error.problem);
      return;
    }
    if (unreachable(error)) {
      setOffline(true);
    } else {
      // The server answered, just not with what we wanted (an unknown event, say).
      setOffline(false);
      state.hooks.notice(error);
    }
    schedule(retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  } finally {
    state.hooks.changed();
  }
}

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(syncNow, ms);
}

// One run at a time; asking while one runs queues at most one more.
export function syncNow() {
  clearTimeout(timer);
  if (!queued) {
    queued = true;
    running = running.then(tick, tick);
  }
  return running;
}

export function resetBackoff() {
  retryMs = FIRST_RETRY_MS;
  packAt = 0;
}
