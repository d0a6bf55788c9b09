// The labels page's Print button: shown only when script runs (without it, the browser's own Print prints the same).
const button = document.getElementById("print-labels");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
