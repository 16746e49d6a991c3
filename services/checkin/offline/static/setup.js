// The gate settings: which event (from the token), which check-in list (from the offline
// pack), which gate (free text, or the token's own gate).

import { headers, loadPack } from "./net.js";
import { HttpError, storedPack } from "./pack.js";
import { importKeys } from "./codes.js";
import { state } from "./state.js";
import { packSlugs } from "./store.js";
import { $, currentLang, t, when } from "./ui.js";

const LABEL = /^[^\x00-\x1f\x7f]{1,64}$/;

function option(value, label) {
  const el = document.createElement("option");
  el.value = value;
  el.textContent = label;
  return el;
}

function allEvents() {
  return state.claims.events.includes("*");
}

export function eventName(slug) {
  const event = state.record?.slug === slug ? state.record.pack.event : null;
  return event?.name?.[currentLang()] || slug;
}

// The server names the main list "Main entrance" unless an organizer renamed it.
const MAIN_DEFAULT = "Main entrance";

export function listName(list) {
  if (list.slug === "main" && (!list.name || list.name === MAIN_DEFAULT)) return t("main_list");
  return list.name || list.slug;
}

export async function fillEvents() {
  const select = $("event");
  const typed = $("event-slug");
  select.hidden = allEvents();
  typed.hidden = !allEvents();
  select.replaceChildren(...state.claims.events.map((slug) => option(slug, eventName(slug))));
  const known = await packSlugs().catch(() => []);
  $("known-events").replaceChildren(...known.map((slug) => option(slug, slug)));
  const chosen = state.setup.event;
  if (allEvents()) typed.value = chosen || "";
  else select.value = state.claims.events.includes(chosen) ? chosen : state.claims.events[0];
  const gate = $("gate");
  gate.value = state.claims.gate || state.setup.gate || "";
  gate.readOnly = Boolean(state.claims.gate);
}

export function chosenEvent() {
  return (allEvents() ? $("event-slug").value : $("event").value).trim();
}

export function fillLists() {
  const lists = [...(state.record?.pack?.lists || state.extraLists || [])];
  if (!lists.some((l) => l.slug === "main")) lists.unshift({ slug: "main", name: "" });
  const select = $("list");
  const previous = select.value || state.setup.list;
  select.replaceChildren(...lists.map((l) => option(l.slug, listName(l))));
  select.value = lists.some((l) => l.slug === previous) ? previous : "main";
  const pack = state.record?.pack;
  // The event picker was filled before the pack (and so the event's name) was known.
  for (const item of $("event").options) item.textContent = eventName(item.value);
  $("pack-state").textContent = pack
    ? t("pack_ready", { n: Object.keys(pack.tickets).length, at: when(pack.generated_at || state.record.fetched_at) })
    : t("pack_missing");
  if (state.keys === null && pack) $("pack-state").textContent += ` ${t("no_ed25519")}`;
}

// Without a pack the lists still come from the server, for scanning online.
async function listsWithoutPack(slug) {
  try {
    const response = await fetch(`/api/v1/events/${encodeURIComponent(slug)}/lists`, {
      headers: headers(),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok || state.setup.event !== slug) return;
    const { lists } = await response.json();
    state.extraLists = lists;
  } catch {
    // Offline as well: the main list it is.
  }
}

// The chosen event's pack: the stored one at once, then a fresh one from the server
// (waited for unless in the background).
export async function chooseEvent(slug, background = false) {
  if (!slug) return;
  state.setup = { ...state.setup, event: slug };
  state.extraLists = null;
  const stored = await storedPack(slug);
  state.record = stored;
  state.keys = stored ? await importKeys(stored.pack.keys) : new Map();
  fillLists();
  if (!navigator.onLine) return;
  const refresh = refreshChosen(slug);
  if (!background) await refresh;
}

async function refreshChosen(slug) {
  $("pack-state").textContent = t("pack_loading");
  try {
    await loadPack(true);
    fillLists();
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) {
      state.hooks.signedOut(error.problem);
      return;
    }
    const reason = error instanceof HttpError ? error.message : String(error.message || error);
    await listsWithoutPack(slug);
    fillLists();
    $("pack-state").textContent += ` ${t("pack_failed", { reason })}`;
  }
}

// The settings as typed, or the text key of what is wrong with them.
export function readSetup() {
  const event = chosenEvent();
  if (!event) return { problem: "pick_event" };
  if (!state.claims.events.includes("*") && !state.claims.events.includes(event)) {
    return { problem: "pick_event" };
  }
  const gate = state.claims.gate || $("gate").value.trim();
  if (!LABEL.test(gate)) return { problem: "pick_gate" };
  return { setup: { event, list: $("list").value || "main", gate } };
}
