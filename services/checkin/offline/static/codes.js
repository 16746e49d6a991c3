// Ticket codes as shared/codes.py makes them: "CNK1" + base32 (RFC 4648, upper case, no
// padding) of version u8, key id u16, ticket id 16 bytes, event id 16 bytes (big endian),
// then a 64-byte Ed25519 signature over the ASCII "CNK1" followed by those 35 bytes.

const PREFIX = "CNK1";
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const VERSION = 1;
const HEAD_BYTES = 35;
const SIGNATURE_BYTES = 64;
const RAW_BYTES = HEAD_BYTES + SIGNATURE_BYTES;
export const CODE_LENGTH = PREFIX.length + Math.ceil((RAW_BYTES * 8) / 5);

function uuid(bytes) {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The fields of a well-formed code, or null. Only the canonical spelling is well formed:
// the bits left over after the last whole byte must be zero, as Python's encoder makes them.
export function parseCode(code) {
  if (typeof code !== "string" || code.length !== CODE_LENGTH || !code.startsWith(PREFIX)) {
    return null;
  }
  const raw = new Uint8Array(RAW_BYTES);
  let value = 0;
  let bits = 0;
  let n = 0;
  for (let i = PREFIX.length; i < code.length; i++) {
    const digit = ALPHABET.indexOf(code[i]);
    if (digit < 0) return null;
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      raw[n++] = (value >> bits) & 0xff;
      value &= (1 << bits) - 1;
    }
  }
  if (n !== RAW_BYTES || value !== 0 || raw[0] !== VERSION) return null;
  const message = new Uint8Array(PREFIX.length + HEAD_BYTES);
  message.set(new TextEncoder().encode(PREFIX));
  message.set(raw.subarray(0, HEAD_BYTES), PREFIX.length);
  return {
    keyId: (raw[1] << 8) | raw[2],
    ticketId: uuid(raw.subarray(3, 19)),
    eventId: uuid(raw.subarray(19, 35)),
    message,
    signature: raw.slice(HEAD_BYTES),
  };
}

function base64url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

// The pack's keys as WebCrypto keys by id; null when the browser has no Ed25519.
export async function importKeys(keys) {
  if (!globalThis.crypto?.subtle) return null;
  const imported = new Map();
  for (const key of keys || []) {
    if (key.algorithm !== "Ed25519") continue;
    try {
      const raw = base64url(key.public_key);
      imported.set(key.id, await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]));
    } catch (error) {
      if (error instanceof DOMException && error.name === "NotSupportedError") return null;
      // A malformed key verifies nothing; the others still do.
    }
  }
  return imported;
}

// Whether the signature of a parsed code is valid under one of the keys.
export async function verifyCode(parsed, keys) {
  const key = keys.get(parsed.keyId);
  if (!key) return false;
  try {
    return await crypto.subtle.verify({ name: "Ed25519" }, key, parsed.signature, parsed.message);
  } catch {
    return false;
  }
}
