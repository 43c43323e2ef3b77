// Mentor staff console: small enhancements only; every form works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Ask before a form marked data-confirm (disabling an account) is sent.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  // A copy button beside a one-time link.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = button.dataset.done;
    });
  }
});
