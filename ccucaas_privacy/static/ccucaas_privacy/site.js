// Behaviour that used to live in inline handlers (the Content-Security-Policy forbids them).
// <select data-autosubmit> submits its form when the choice changes (the language switcher).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
