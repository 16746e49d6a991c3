// The signed-in device: its door token (a JWT; its payload names the events and maybe a
// gate), a stable device id, the chosen event, list and gate, all in localStorage.

const TOKEN = "cnk-door-token";
const DEVICE = "cnk-door-device";
const SETUP = "cnk-door-setup";
const LANG = "cnk-door-lang";

export function claimsOf(token) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = new TextDecoder().decode(
      Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0)),
    );
    const claims = JSON.parse(json);
    if (!claims || !Array.isArray(claims.events) || typeof claims.role !== "string") return null;
    return claims;
  } catch {
    return null;
  }
}

// Why a token cannot sign this device in (a text key), or null when it can.
export function tokenProblem(token) {
  if (!token) return "token_missing";
  const claims = claimsOf(token);
  if (!claims) return "token_bad";
  if (claims.role !== "door") return "token_not_door";
  if (typeof claims.exp === "number" && claims.exp * 1000 <= Date.now()) return "token_expired_local";
  return null;
}

// A token handed over in the address (the pairing QR opens /door#token=...): taken out of
// the address at once, so it is neither bookmarked nor shown over a shoulder.
export function tokenFromAddress() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("token");
  if (token !== null) history.replaceState(null, "", location.pathname + location.search);
  return token?.trim() || null;
}

export function pairingToken(text) {
  try {
    const url = new URL(text);
    // Another origin is fine: its token simply fails here if it belongs to another system.
    if (url.pathname !== "/door") return null;
    return new URLSearchParams(url.hash.slice(1)).get("token");
  } catch {
    return null;
  }
}

export function storedToken() {
  return localStorage.getItem(TOKEN);
}

export function saveToken(token) {
  localStorage.setItem(TOKEN, token);
}

export function forgetToken() {
  localStorage.removeItem(TOKEN);
}

export function deviceId() {
  let id = localStorage.getItem(DEVICE);
  if (!id) {
    id = `door-${crypto.randomUUID()}`;
    localStorage.setItem(DEVICE, id);
  }
  return id;
}

export function storedSetup() {
  try {
    return JSON.parse(localStorage.getItem(SETUP)) || {};
  } catch {
    return {};
  }
}

export function saveSetup(setup) {
  localStorage.setItem(SETUP, JSON.stringify(setup));
}

export function storedLang() {
  return localStorage.getItem(LANG) || "pl";
}

export function saveLang(lang) {
  localStorage.setItem(LANG, lang);
}
