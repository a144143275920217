// Accessibility fix for the built site (registered in _config.yml: html_js_files).
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
});
