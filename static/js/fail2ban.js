// Counts down the remaining ban times on the Fail2ban page ([data-countdown] holds seconds).
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = Math.max(0, parseInt(el.getAttribute("data-countdown"), 10) - 1);
      if (isNaN(left)) { return; }
      el.setAttribute("data-countdown", String(left));
      el.textContent = pad(Math.floor(left / 3600)) + "h " + pad(Math.floor(left / 60) % 60) +
        "m " + pad(left % 60) + "s";
    });
  }
  window.setInterval(tick, 1000);
})();
