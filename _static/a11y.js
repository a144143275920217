// Accessibility fixes for the built site (registered in _config.yml: html_js_files).
// axe-core's "region" rule: the book's title link at the top of the left sidebar sits
// outside every landmark, so screen-reader users who move by landmarks skip it. Make
// the sidebar item holding it a navigation landmark of its own.
document.addEventListener("DOMContentLoaded", () => {
  const landmarks = "nav, header, main, aside, footer, [role]";
  document.querySelectorAll(".sidebar-primary-item").forEach((item) => {
    if (item.querySelector(".navbar-brand") && !item.closest(landmarks)) {
      item.setAttribute("role", "navigation");
      item.setAttribute("aria-label", "Book title");
    }
  });

  // axe-core's "summary-name" rule: a chapter with section pages gets a <details> toggle
  // in the sidebar whose <summary> holds only an icon. Name it after its chapter.
  document.querySelectorAll("li.has-children > details > summary").forEach((summary) => {
    const link = summary.closest("li").querySelector(":scope > a");
    if (!summary.textContent.trim() && !summary.hasAttribute("aria-label") && link) {
      summary.setAttribute("aria-label", `Sections of ${link.textContent.trim()}`);
    }
  });
});
