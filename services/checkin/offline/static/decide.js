// The verdict of a scan made offline: services/checkin/scans/rules.py's decide() over what the
// device knows (the offline pack and its own scans). The server decides again on upload.

const WARSAW_DAY = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Warsaw",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

export function localDay(at) {
  return WARSAW_DAY.format(at);
}

// Whether a holder belongs on a list: of one of its ticket types when it names some, and
// confirmed in one of its sessions when it names some (rules.on_list).
export function onList(list, ticket) {
  const types = list.ticket_types || [];
  const sessions = list.sessions || [];
  if (types.length && !(ticket && types.includes(ticket.ticket_type))) return false;
  if (sessions.length && !(ticket && (ticket.sessions || []).some((s) => sessions.includes(s)))) {
    return false;
  }
  return true;
}

// The entry that blocks this one, if any. `moves` are the ticket's entries ("in") and
// exits ("out") on this list, oldest first: the pack's check-ins (entries) and this
// device's own scans.
function blocking(policy, moves, now) {
  const entries = moves.filter((m) => m.direction === "in");
  if (!entries.length) return null;
  if (policy === "reentry") {
    const last = moves[moves.length - 1];
    return last.direction === "in" ? last : null;
  }
  if (policy === "daily") {
    const last = entries[entries.length - 1];
    return localDay(last.at) === localDay(now) ? last : null;
  }
  return entries[0];
}

/**
 * facts: {parsed (or null), verified, pack, list, direction, now (Date), moves}
 * returns {result, ticket (pack row or null), first (blocking move or null)}
 */
export function decide(facts) {
  const { parsed, verified, pack, list, direction, now } = facts;
  if (!parsed || !verified) return { result: "invalid", ticket: null, first: null };
  if (parsed.eventId !== pack.event.id) return { result: "wrong_event", ticket: null, first: null };
  const ticket = pack.tickets[parsed.ticketId] || null;
  const verdict = (result, first = null) => ({ result, ticket, first });
  if (direction === "out") return verdict("exited");
  if (pack.revoked.includes(parsed.ticketId) || ticket?.status === "revoked") {
    return verdict("revoked");
  }
  if (!onList(list, ticket)) return verdict("not_on_list");
  const from = list.valid_from ? new Date(list.valid_from) : null;
  const until = list.valid_until ? new Date(list.valid_until) : null;
  if ((from && now < from) || (until && now >= until)) return verdict("not_valid_now");
  const first = blocking(list.policy || "single", facts.moves, now);
  if (first) return verdict("already_checked_in", first);
  // An occupancy limit needs every door's count: offline it is left to the server.
  return verdict("accepted");
}

// A ticket's moves on a list from the pack and from this device's scans, oldest first;
// the same scan known from both places counts once.
export function movesOf(pack, listSlug, ticketId, scans) {
  const moves = [];
  const seen = new Set();
  for (const scan of scans) {
    if (scan.result !== "accepted" && scan.result !== "exited") continue;
    const at = new Date(scan.scanned_at);
    seen.add(`${at.getTime()}|${scan.gate}`);
    moves.push({ at, gate: scan.gate, device_id: scan.device_id, direction: scan.direction });
  }
  for (const entry of pack.checked_in) {
    if (entry.ticket_id !== ticketId || entry.list !== listSlug) continue;
    const at = new Date(entry.at);
    if (seen.has(`${at.getTime()}|${entry.gate}`)) continue;
    moves.push({ at, gate: entry.gate, device_id: entry.device_id, direction: "in" });
  }
  return moves.sort((a, b) => a.at - b.at);
}
