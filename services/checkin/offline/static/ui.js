// What the door staff sees, hears and feels: texts in the chosen language, the full-screen
// verdict, a beep and a vibration.

import { MESSAGES, TEXTS, format } from "./i18n.js";

export const $ = (id) => document.getElementById(id);
const VERDICT_MS = 1000;
let lang = "pl";
let hideTimer = 0;
let audio = null;

export function t(key, values = {}) {
  return format(TEXTS[lang][key] ?? TEXTS.pl[key] ?? key, values);
}

export function currentLang() {
  return lang;
}

export function setLang(code) {
  lang = code === "en" ? "en" : "pl";
  document.documentElement.lang = lang;
  document.title = t("page_title");
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  const other = lang === "pl" ? "en" : "pl";
  $("lang").textContent = t("other_lang");
  $("lang").lang = other;
}

export function show(view) {
  for (const id of ["signin-view", "setup-view", "scan-view"]) $(id).hidden = id !== view;
}

export function kind(result) {
  if (result === "accepted" || result === "exited") return "ok";
  if (result === "already_checked_in") return "warn";
  return "bad";
}

export function when(iso) {
  const at = new Date(iso);
  const locale = lang === "pl" ? "pl-PL" : "en-GB";
  const sameDay = new Date().toDateString() === at.toDateString();
  return new Intl.DateTimeFormat(locale, {
    timeZone: "Europe/Warsaw",
    dateStyle: sameDay ? undefined : "short",
    timeStyle: "medium",
  }).format(at);
}

// Audio may only start after a gesture; every scan (a key or a tap) is one.
export function unlockAudio() {
  if (audio || typeof AudioContext === "undefined") return;
  audio = new AudioContext();
}

function tone(start, frequency, seconds, type) {
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.type = type;
  osc.frequency.value = frequency;
  gain.gain.setValueAtTime(0.25, start);
  gain.gain.exponentialRampToValueAtTime(0.001, start + seconds);
  osc.connect(gain).connect(audio.destination);
  osc.start(start);
  osc.stop(start + seconds);
}

function signal(k) {
  if (audio) {
    const now = audio.currentTime;
    if (audio.state === "suspended") audio.resume();
    if (k === "ok") tone(now, 1175, 0.15, "sine");
    else if (k === "warn") [0, 0.18].forEach((d) => tone(now + d, 660, 0.12, "triangle"));
    else tone(now, 196, 0.5, "square");
  }
  navigator.vibrate?.(k === "ok" ? 80 : k === "warn" ? [80, 60, 80] : [300, 100, 300]);
}

/**
 * v: {result, message: {pl, en}, holder (string|null), first ({at, gate, device_id})?,
 *     offline (bool), error (string, a problem's detail instead of a verdict)}
 */
export function showVerdict(v) {
  const k = v.error ? "bad" : kind(v.result);
  const overlay = $("verdict");
  overlay.className = `verdict ${k}`;
  overlay.dataset.result = v.error ? "error" : v.result;
  $("verdict-symbol").textContent = k === "ok" ? "✓" : k === "warn" ? "!" : "✕";
  const title = v.error
    ? "error_title"
    : v.result === "exited"
      ? "exit_title"
      : { ok: "ok_title", warn: "warn_title", bad: "bad_title" }[k];
  $("verdict-title").textContent = t(title);
  $("verdict-name").textContent = v.holder ?? "";
  const message = v.error ? { pl: v.error, en: v.error } : v.message || MESSAGES[v.result];
  const other = lang === "pl" ? "en" : "pl";
  $("verdict-reason-main").textContent = message[lang];
  $("verdict-reason-main").lang = lang;
  $("verdict-reason-other").textContent = v.error ? "" : message[other];
  $("verdict-reason-other").lang = other;
  $("verdict-detail").textContent = v.first
    ? t("first_scan", { at: when(v.first.at), gate: v.first.gate, device: v.first.device_id ?? "?" })
    : "";
  $("verdict-offline").hidden = !v.offline;
  overlay.hidden = false;
  signal(k);
  clearTimeout(hideTimer);
  hideTimer = setTimeout(hideVerdict, VERDICT_MS);
}

export function hideVerdict() {
  clearTimeout(hideTimer);
  $("verdict").hidden = true;
}

export function addHistory(v) {
  const item = document.createElement("li");
  const k = v.error ? "bad" : kind(v.result);
  item.className = k;
  item.dataset.result = v.error ? "error" : v.result;
  const time = document.createElement("time");
  time.textContent = when(v.at);
  const name = document.createElement("strong");
  name.textContent = v.holder ?? "—";
  const reason = document.createElement("span");
  reason.textContent = v.error ?? (v.message || MESSAGES[v.result])[lang];
  item.append(time, " ", name, " ", reason);
  if (v.offline) item.append(" ", Object.assign(document.createElement("em"), { textContent: "offline" }));
  const list = $("history");
  list.prepend(item);
  while (list.children.length > 8) list.lastElementChild.remove();
}
