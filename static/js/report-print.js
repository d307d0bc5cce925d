// The report's "Print" button: shown only when this script runs (no inline scripts: CSP).
"use strict";
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
