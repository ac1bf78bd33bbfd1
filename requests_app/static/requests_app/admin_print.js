// A <button data-print> prints the page (the Content-Security-Policy forbids inline handlers):
// the paper-mailing admin page's readable version of a disclosure.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target && target.closest && target.closest("button[data-print]")) {
    window.print();
  }
});
