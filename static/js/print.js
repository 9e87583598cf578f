// A button that prints the page (the print stylesheet lays it out as an A4 report).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
