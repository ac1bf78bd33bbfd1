// P10: tell the server the browser's time zone (a small first-party cookie, read by the
// visitor log). P11: when cookies are blocked, "Keep me signed in" cannot work: say so.
(function () {
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    if (/^[A-Za-z0-9_+\-\/]{1,64}$/.test(tz)) {
      document.cookie = "ccucaas_tz=" + tz + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* no Intl: no time zone */ }
  document.addEventListener("DOMContentLoaded", function () {
    var remember = document.getElementById("id_remember_me");
    var note = document.getElementById("cookies-blocked-note");
    if (remember && note && !navigator.cookieEnabled) {
      remember.checked = false;
      remember.disabled = true;
      note.hidden = false;
    }
  });
})();
