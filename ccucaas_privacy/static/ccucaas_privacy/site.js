// Behaviour that used to live in inline handlers (the Content-Security-Policy forbids them).
// <select data-autosubmit> submits its form when the choice changes (the language switcher).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});

// Issue 19: a page with work in progress carries data-refresh="<seconds>" on an element and
// reloads itself while it is there (the server stops sending it once nothing is in progress).
// Nothing reloads while the reader is typing in a form on the page.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var marker = document.querySelector("[data-refresh]");
    if (!marker) { return; }
    var seconds = parseInt(marker.getAttribute("data-refresh"), 10);
    if (!(seconds >= 5)) { seconds = 10; }
    window.setTimeout(function tick() {
      var active = document.activeElement;
      var typing = active && active.form && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
      if (typing) { window.setTimeout(tick, seconds * 1000); return; }
      window.location.reload();
    }, seconds * 1000);
  });
})();

// Issue 19: a form with <select data-reveal="name"> shows only the groups
// <fieldset data-reveal-for="value1 value2"> that belong to the chosen value. Without
// JavaScript every group stays visible and usable (each is labelled with its types).
(function () {
  function update(select) {
    var form = select.form;
    if (!form) { return; }
    var value = select.value;
    form.querySelectorAll("[data-reveal-for]").forEach(function (group) {
      var wanted = group.getAttribute("data-reveal-for").split(/\s+/);
      var show = wanted.indexOf(value) !== -1;
      group.hidden = !show;
      group.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !show; });
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-reveal]")) { update(event.target); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-reveal]").forEach(update);
  });
})();
