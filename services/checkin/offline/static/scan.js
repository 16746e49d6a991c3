// One scan: asked of the server when it answers (POST /api/v1/scans within 1.5 s),
// otherwise decided here from the offline pack and queued for upload.

import { parseCode, verifyCode } from "./codes.js";
import { decide, movesOf } from "./decide.js";
import { MESSAGES } from "./i18n.js";
import { headers, syncNow, unreachable } from "./net.js";
import { HttpError, problemOf } from "./pack.js";
import { currentList, isOnline, setOffline, state } from "./state.js";
import { putScan, scansOf } from "./store.js";
import { t } from "./ui.js";

const ONLINE_TIMEOUT_MS = 1500;
const MAX_CODE = 1024;

function newScan(code) {
  const list = currentList();
  return {
    scan_id: crypto.randomUUID(),
    code,
    gate: state.setup.gate,
    list: list.slug,
    direction: list.policy === "reentry" ? state.direction : "in",
    device_id: state.deviceId,
    scanned_at: new Date().toISOString(),
    event: state.setup.event,
    ticket_id: parseCode(code)?.ticketId ?? null,
  };
}

async function askServer(scan) {
  const response = await fetch("/api/v1/scans", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify({
      code: scan.code,
      gate: scan.gate,
      scan_id: scan.scan_id,
      list: scan.list,
      direction: scan.direction,
      device_id: scan.device_id,
      event: scan.event,
    }),
    signal: AbortSignal.timeout(ONLINE_TIMEOUT_MS),
  });
  if (!response.ok) throw new HttpError(response.status, await problemOf(response));
  return response.json();
}

// The verdict shown, or null when the server cannot be reached (decide offline then).
async function scanOnline(scan) {
  let verdict;
  try {
    verdict = await askServer(scan);
  } catch (error) {
    if (unreachable(error)) {
      setOffline(true);
      return null;
    }
    if (error.status === 401) {
      state.hooks.signedOut(error.problem);
      return { error: error.message, at: scan.scanned_at, signedOut: true };
    }
    // A device set up wrongly (an unknown list, a gate the token does not cover): no
    // verdict about the ticket, and nothing recorded.
    return { error: error.message, at: scan.scanned_at };
  }
  const holder = verdict.ticket?.holder_name ?? null;
  await putScan({
    ...scan,
    scanned_at: verdict.scanned_at,
    ticket_id: verdict.ticket?.id ?? scan.ticket_id,
    result: verdict.result,
    message: verdict.message,
    holder,
  });
  return {
    result: verdict.result,
    message: verdict.message,
    holder,
    first: verdict.first_checkin ?? null,
    at: verdict.scanned_at,
  };
}

async function scanOffline(scan) {
  const pack = state.record?.pack;
  if (!pack) {
    // Nothing to decide with; the server will decide on upload.
    await putScan({ ...scan, result: null, pending: 1 });
    return { error: t("pack_missing"), at: scan.scanned_at, offline: true };
  }
  const parsed = parseCode(scan.code);
  let verified = false;
  if (parsed) {
    // Without Ed25519 in this browser, a code is only as good as the pack knowing it.
    verified = state.keys ? await verifyCode(parsed, state.keys) : parsed.ticketId in pack.tickets;
  }
  const list = currentList();
  const own = parsed ? await scansOf(scan.event, list.slug, parsed.ticketId) : [];
  const decided = decide({
    parsed,
    verified,
    pack,
    list,
    direction: scan.direction,
    now: new Date(scan.scanned_at),
    moves: parsed ? movesOf(pack, list.slug, parsed.ticketId, own) : [],
  });
  const known = decided.ticket?.holder_name ?? null;
  const holder = known ?? (verified && decided.result !== "wrong_event" ? t("unknown_holder") : null);
  await putScan({
    ...scan,
    local_result: decided.result,
    result: decided.result,
    holder: known,
    pending: 1,
  });
  const first = decided.first;
  return {
    result: decided.result,
    message: MESSAGES[decided.result],
    holder,
    first: first ? { at: first.at.toISOString(), gate: first.gate, device_id: first.device_id } : null,
    offline: true,
    at: scan.scanned_at,
  };
}

export async function scanCode(raw) {
  const code = raw.trim().slice(0, MAX_CODE);
  if (!code || !state.token) return null;
  const scan = newScan(code);
  const tried = isOnline();
  let shown = tried ? await scanOnline(scan) : null;
  if (!shown) {
    shown = await scanOffline(scan);
    // The server just stopped answering: probe it (with backoff from now on), and this
    // scan, stored by now, goes up with the first answer. If the server did record it,
    // the upload's scan_id gets the original verdict back: it counts once.
    if (tried) syncNow();
  }
  return shown;
}
