// MailApp's small behaviours: toasts, copy buttons and the theme switch (no inline script: CSP).
(function () {
  "use strict";
  var root = document.documentElement;
  var stored = null;
  try { stored = localStorage.getItem("mailapp-theme"); } catch (e) { /* private mode */ }
  if (stored === "light" || stored === "dark") { root.setAttribute("data-theme", stored); }

  function showToast(message, level) {
    var box = document.getElementById("toasts");
    if (!box) { return; }
    var el = document.createElement("div");
    el.className = "toast" + (level === "error" ? " error" : "");
    el.setAttribute("role", "status");
    el.textContent = message;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 5000);
  }

  document.addEventListener("mailapp:toast", function (evt) {
    var items = evt.detail && evt.detail.value ? evt.detail.value : evt.detail;
    (Array.isArray(items) ? items : [items]).forEach(function (t) {
      if (t && t.message) { showToast(t.message, t.level); }
    });
  });

  // A header checkbox selects every row checkbox of its table with the name it names.
  document.addEventListener("change", function (evt) {
    var all = evt.target.closest("[data-select-all]");
    if (!all) { return; }
    var table = all.closest("table");
    var name = all.getAttribute("data-select-all");
    table.querySelectorAll('tbody input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });

  document.addEventListener("click", function (evt) {
    var copy = evt.target.closest("[data-copy]");
    if (copy) {
      var text = copy.getAttribute("data-copy");
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(function () { showToast("Copied"); },
          function () { showToast("Copy failed: select the text instead", "error"); });
      }
      return;
    }
    if (evt.target.closest("[data-theme-toggle]")) {
      var dark = root.getAttribute("data-theme") === "dark" ||
        (!root.getAttribute("data-theme") && window.matchMedia("(prefers-color-scheme: dark)").matches);
      var next = dark ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("mailapp-theme", next); } catch (e) { /* ignore */ }
    }
  });
})();
