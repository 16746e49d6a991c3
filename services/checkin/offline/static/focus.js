// A keyboard-wedge scanner types into whatever has the focus: keep it on the code field
// while the scanner view is shown.

import { $, hideVerdict } from "./ui.js";

const FIELDS = "select, textarea, input[type=text]";

export function keepFocus(scanning) {
  document.addEventListener("keydown", (e) => {
    if (!scanning() || e.target.closest?.(FIELDS)) return;
    hideVerdict();
    $("code").focus();
  });
  // After a tap on a button, the wedge's Enter would press that button again.
  $("scan-view").addEventListener("click", (e) => {
    if (!e.target.closest(FIELDS)) setTimeout(() => scanning() && $("code").focus());
  });
  $("code").addEventListener("blur", () =>
    setTimeout(() => {
      if (scanning() && (!document.activeElement || document.activeElement === document.body)) {
        $("code").focus();
      }
    }),
  );
}
