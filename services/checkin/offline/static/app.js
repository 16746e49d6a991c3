// The door scanner page: signing in, the gate settings, scanning, and the wiring between.

import { cameraRunning, cameraSupported, startCamera, stopCamera } from "./camera.js";
import { keepFocus } from "./focus.js";
import { headers, resetBackoff, syncNow } from "./net.js";
import { scanCode } from "./scan.js";
import * as session from "./session.js";
import {
  chooseEvent,
  chosenEvent,
  eventName,
  fillEvents,
  fillLists,
  listName,
  readSetup,
} from "./setup.js";
import { currentList, isOnline, state } from "./state.js";
import { eventScans, pendingCount, pruneScans } from "./store.js";
import * as ui from "./ui.js";
import { registerWorker } from "./worker.js";

const { $, t } = ui;
const KEEP_SCANS_MS = 3 * 24 * 3600 * 1000;
let chain = Promise.resolve();
let lastScanAt = 0;
const IDLE_MS = 10_000;

function setMessage(el, text) {
  el.textContent = text || "";
  el.hidden = !text;
}

async function renderStatus() {
  const net = $("net");
  net.dataset.state = isOnline() ? "online" : "offline";
  net.textContent = t(isOnline() ? "online" : "offline");
  $("queue").textContent = String(await pendingCount().catch(() => 0));
  const troubles = state.setup.event
    ? (await eventScans(state.setup.event).catch(() => [])).filter((s) => s.conflict)
    : [];
  $("conflicts").textContent = String(troubles.length);
  $("conflict-list").replaceChildren(
    ...troubles.map((s) => {
      const item = document.createElement("li");
      item.textContent = s.error
        ? t("sync_rejected", { reason: s.error })
        : t("conflict_item", {
            name: s.holder || s.ticket_id || "?",
            local: s.local_result || "?",
            server: (s.message || {})[ui.currentLang()] || s.result,
          });
      return item;
    }),
  );
}

function showSignIn(message) {
  stopCamera($("video"));
  ui.show("signin-view");
  setMessage($("signin-message"), message);
  $("token-input").value = "";
  $("token-input").focus();
}

async function signOut(problem) {
  session.forgetToken();
  state.token = null;
  state.claims = null;
  ui.hideVerdict();
  let message = null;
  if (problem !== undefined) {
    message = t("signed_out", { reason: problem?.detail || "401." });
    const queued = await pendingCount().catch(() => 0);
    if (queued) message += ` ${t("signed_out_queue", { n: queued })}`;
  }
  showSignIn(message);
}

async function signIn(token, fromAddress = false) {
  const problem = session.tokenProblem(token);
  if (problem) {
    if (fromAddress) showSignIn(t(problem));
    else setMessage($("token-error"), t(problem));
    return;
  }
  session.saveToken(token);
  state.token = token;
  state.claims = session.claimsOf(token);
  setMessage($("token-error"), null);
  setMessage($("signin-message"), null);
  resetBackoff();
  await openSetup();
  syncNow();
}

async function openSetup() {
  stopCamera($("video"));
  ui.show("setup-view");
  await fillEvents();
  await chooseEvent(chosenEvent());
}

function openScanner() {
  ui.show("scan-view");
  const list = currentList();
  $("where-event").textContent = eventName(state.setup.event);
  $("where-list").textContent = listName(list);
  $("where-gate").textContent = state.setup.gate;
  $("direction").hidden = list.policy !== "reentry";
  if (list.policy !== "reentry") state.direction = "in";
  $("code").focus();
  renderStatus();
}

function scanned(text) {
  ui.unlockAudio();
  lastScanAt = Date.now();
  // One failed scan (say, IndexedDB refusing a write) must not stop the ones after it.
  chain = chain.then(async () => {
    let shown;
    try {
      shown = await scanCode(text);
    } catch (error) {
      shown = { error: String(error?.message || error), at: new Date().toISOString() };
    }
    if (!shown || shown.signedOut) return;
    ui.showVerdict(shown);
    ui.addHistory(shown);
    await renderStatus();
  });
  return chain;
}

function scanning() {
  return !$("scan-view").hidden;
}

async function togglePairing() {
  const figure = $("pairing");
  if (!figure.hidden) {
    figure.hidden = true;
    return;
  }
  const response = await fetch("/door/pairing.png", { headers: headers(), cache: "no-store" });
  if (response.status === 401) return signOut(await response.json().catch(() => null));
  if (!response.ok) return;
  const img = $("pairing-img");
  if (img.src) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(await response.blob());
  img.alt = t("pairing_caption");
  figure.hidden = false;
}

async function toggleCamera(forPairing) {
  const video = $("video");
  if (cameraRunning()) {
    stopCamera(video);
    $("camera").textContent = t("camera");
    return;
  }
  const onCode = forPairing
    ? (text) => {
        const token = session.pairingToken(text);
        if (!token) return setMessage($("token-error"), t("pairing_scanned"));
        stopCamera(video);
        signIn(token);
      }
    : scanned;
  if (forPairing) $("signin-view").append(video);
  else $("scan-view").insertBefore(video, $("scan-view").querySelector(".counters"));
  try {
    await startCamera(video, onCode);
    if (!forPairing) $("camera").textContent = t("camera_stop");
  } catch (error) {
    stopCamera(video);
    const target = forPairing ? $("token-error") : $("notice");
    setMessage(target, t("camera_failed", { reason: error.message || error.name }));
  }
}

function wire() {
  $("lang").addEventListener("click", () => {
    const next = ui.currentLang() === "pl" ? "en" : "pl";
    session.saveLang(next);
    ui.setLang(next);
    if (state.claims && !$("setup-view").hidden) fillLists();
    if (scanning()) openScanner();
    renderStatus();
  });
  $("signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    signIn($("token-input").value.trim());
  });
  $("event").addEventListener("change", () => chooseEvent($("event").value));
  $("event-slug").addEventListener("change", () => chooseEvent($("event-slug").value.trim()));
  $("setup-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const { setup, problem } = readSetup();
    setMessage($("setup-error"), problem ? t(problem) : null);
    if (!setup) return;
    const changed = setup.event !== state.record?.slug;
    state.setup = setup;
    session.saveSetup(setup);
    if (changed) chooseEvent(setup.event).then(openScanner);
    else openScanner();
  });
  $("sign-out").addEventListener("click", () => signOut());
  $("pair").addEventListener("click", togglePairing);
  $("settings").addEventListener("click", openSetup);
  $("scan-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("code").value;
    $("code").value = "";
    scanned(text);
  });
  $("type").addEventListener("click", () => {
    const code = $("code");
    code.inputMode = code.inputMode === "none" ? "text" : "none";
    code.blur();
    code.focus();
  });
  for (const radio of document.querySelectorAll("input[name=direction]")) {
    radio.addEventListener("change", () => {
      state.direction = radio.value;
      $("code").focus();
    });
  }
  $("camera").addEventListener("click", () => toggleCamera(false));
  $("scan-pairing").addEventListener("click", () => toggleCamera(true));
  $("conflicts-button").addEventListener("click", () => {
    $("conflict-list").hidden = !$("conflict-list").hidden;
  });
  $("verdict").addEventListener("click", () => {
    ui.hideVerdict();
    $("code").focus();
  });
  document.addEventListener("pointerdown", ui.unlockAudio, { once: true });
  window.addEventListener("online", () => {
    resetBackoff();
    syncNow();
    renderStatus();
  });
  window.addEventListener("offline", renderStatus);
  keepFocus(scanning);
}

async function boot() {
  ui.setLang(session.storedLang());
  state.deviceId = session.deviceId();
  state.setup = session.storedSetup();
  state.hooks.changed = renderStatus;
  state.hooks.signedOut = (problem) => signOut(problem ?? null);
  state.hooks.packChanged = () => {
    if (!$("setup-view").hidden) fillLists();
  };
  state.hooks.notice = (error) => {
    const text = error ? t("pack_failed", { reason: error.message }) : null;
    setMessage($("notice"), text);
    if (text && !$("setup-view").hidden) $("pack-state").textContent = text;
  };
  wire();
  registerWorker(() => Date.now() - lastScanAt < IDLE_MS || !$("verdict").hidden);
  const hasCamera = await cameraSupported();
  $("camera").hidden = !hasCamera;
  $("scan-pairing").hidden = !hasCamera;
  pruneScans(Date.now() - KEEP_SCANS_MS).catch(() => {});
  setInterval(renderStatus, 5000);

  const handed = session.tokenFromAddress();
  if (handed) return signIn(handed, true);
  const token = session.storedToken();
  const problem = token ? session.tokenProblem(token) : "token_missing";
  if (problem) {
    session.forgetToken();
    return showSignIn(token ? t(problem) : null);
  }
  state.token = token;
  state.claims = session.claimsOf(token);
  const { setup } = readSetupFromStore();
  if (!setup) return openSetup().then(syncNow);
  await chooseEvent(setup.event, true);
  state.setup = setup;
  openScanner();
  syncNow();
}

// The stored settings, if they still fit the token.
function readSetupFromStore() {
  const { event, list, gate } = state.setup;
  const covered = event && (state.claims.events.includes("*") || state.claims.events.includes(event));
  const gateOk = gate && (!state.claims.gate || gate === state.claims.gate);
  return covered && gateOk && list ? { setup: { event, list, gate } } : {};
}

boot();
