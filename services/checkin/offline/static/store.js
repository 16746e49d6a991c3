// What the device keeps in IndexedDB: offline packs (one per event) and its own scans.
// A scan waiting for upload has `pending: 1`; the "pending" index holds only those, since
// IndexedDB leaves records without the key out of an index.

const NAME = "cnk-door";
const VERSION = 1;
let opened = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function db() {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = () => {
      const base = req.result;
      base.createObjectStore("packs", { keyPath: "slug" });
      const scans = base.createObjectStore("scans", { keyPath: "scan_id" });
      scans.createIndex("pending", "pending");
      scans.createIndex("ticket", ["event", "list", "ticket_id"]);
      scans.createIndex("event", "event");
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opened;
}

async function store(name, mode = "readonly") {
  return (await db()).transaction(name, mode).objectStore(name);
}

export async function getPack(slug) {
  return request((await store("packs")).get(slug));
}

export async function putPack(record) {
  return request((await store("packs", "readwrite")).put(record));
}

export async function packSlugs() {
  return request((await store("packs")).getAllKeys());
}

export async function putScan(scan) {
  return request((await store("scans", "readwrite")).put(scan));
}

export async function pendingScans(limit) {
  return request((await store("scans")).index("pending").getAll(1, limit));
}

export async function pendingCount() {
  return request((await store("scans")).index("pending").count(1));
}

export async function getScan(scanId) {
  return request((await store("scans")).get(scanId));
}

export async function scansOf(event, list, ticketId) {
  return request((await store("scans")).index("ticket").getAll([event, list, ticketId]));
}

export async function eventScans(event) {
  return request((await store("scans")).index("event").getAll(event));
}

// Uploaded scans older than `before` (ms since the epoch) are history the server keeps.
export async function pruneScans(before) {
  const scans = await store("scans", "readwrite");
  return new Promise((resolve, reject) => {
    const cursor = scans.openCursor();
    cursor.onsuccess = () => {
      const item = cursor.result;
      if (!item) return resolve();
      if (!item.value.pending && Date.parse(item.value.scanned_at) < before) item.delete();
      item.continue();
    };
    cursor.onerror = () => reject(cursor.error);
  });
}
