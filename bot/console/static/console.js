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
  // A broadcast's live figures: the section names the route of its own fragment; swap it in every 3 s
  // while the page is shown (without this script, reloading the page does the same).
  const live = () => document.querySelector("section[data-refresh]");
  if (live()) {
    window.setInterval(async () => {
      const section = live();
      if (!section || document.hidden) return;
      try {
        const answer = await fetch(section.dataset.refresh, { credentials: "same-origin" });
        if (!answer.ok) return;
        const fresh = new DOMParser().parseFromString(await answer.text(), "text/html")
          .querySelector("section[data-refresh]");
        if (fresh) section.replaceWith(fresh);
      } catch (error) {
        // offline for a moment: the next round tries again
      }
    }, 3000);
  }
});
