// The dashboard live: the server renders the page first (it works without this script);
// here an EventSource swaps in each `counts` event's numbers and parts.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("dashboard");
  if (!root || !("EventSource" in window)) return;
  const live = document.getElementById("live");
  const state = (name, text) => {
    live.dataset.state = name;
    live.textContent = text;
  };
  const shown = {};
  const source = new EventSource(root.dataset.stream);
  source.addEventListener("open", () => state("live", root.dataset.live));
  source.addEventListener("error", () => state("lost", root.dataset.lost));
  source.addEventListener("counts", (message) => {
    const counts = JSON.parse(message.data);
    state("live", root.dataset.live);
    for (const el of root.querySelectorAll("[data-count]")) {
      const value = counts[el.dataset.count];
      const text = value === null || value === undefined ? "–" : String(value);
      if (el.textContent !== text) el.textContent = text;
    }
    // Rendered by the server from the same templates as the page, text escaped there;
    // swapped only when changed, so the alerts' live region speaks only of news.
    const parts = { ...(counts.html || {}), charts: counts.charts_svg };
    for (const [id, html] of Object.entries(parts)) {
      if (shown[id] === html) continue;
      shown[id] = html;
      document.getElementById(id).innerHTML = html;
    }
  });
  // The token was revoked or expired: the page shows the sign-in form again.
  source.addEventListener("signed_out", () => {
    source.close();
    window.location.reload();
  });
});
