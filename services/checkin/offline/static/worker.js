// The service worker (sw.js) that keeps the page for offline use, and page updates: a new
// version takes over in the background, and the page reloads into it when not busy.

const UPDATE_EVERY_MS = 30 * 60 * 1000;
const BUSY_RETRY_MS = 2000;

export function registerWorker(busy) {
  if (!("serviceWorker" in navigator)) return;
  const sw = navigator.serviceWorker;
  // The first install changes the controller too; only a replaced worker means an update.
  const hadWorker = Boolean(sw.controller);
  sw.register("/door/sw.js", { scope: "/door" })
    .then((registration) => {
      // A device left open all day still picks up a new version.
      setInterval(() => registration.update().catch(() => {}), UPDATE_EVERY_MS);
    })
    .catch(() => {});
  sw.addEventListener("controllerchange", () => {
    if (!hadWorker) return;
    const reloadWhenIdle = () => {
      if (busy()) setTimeout(reloadWhenIdle, BUSY_RETRY_MS);
      else location.reload();
    };
    reloadWhenIdle();
  });
}
