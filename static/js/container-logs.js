// Container logs: follow a log live over server-sent events, and pick another container.
(function () {
  "use strict";

  function pad(n, width) { return String(n).padStart(width || 2, "0"); }

  // "2024-05-01 13:45:07.123" in UTC, like the lines the server rendered.
  function utcText(ns) {
    var d = new Date(Math.floor(ns / 1e6));
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) + "." +
      pad(d.getUTCMilliseconds(), 3);
  }

  function setup(view) {
    var button = view.querySelector("[data-follow]");
    var list = view.querySelector("[data-log-lines]");
    var status = view.querySelector("[data-follow-status]");
    if (!button || !list || !view.dataset.followUrl) { return; }
    var maxLines = parseInt(view.dataset.maxLines, 10) || 5000;
    var lastNs = view.dataset.after || "0";
    var source = null;
    var labels = { start: button.textContent, stop: button.dataset.stopLabel || "Stop following" };

    function say(text) { if (status) { status.textContent = text; } }

    function append(line) {
      var empty = view.querySelector("[data-log-empty]");
      if (empty) { empty.remove(); }
      // Stay at the bottom only if the reader was already there.
      var atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
      var item = document.createElement("li");
      var time = document.createElement("time");
      time.setAttribute("datetime", line.stamp);
      time.textContent = utcText(line.ns);
      var text = document.createElement("span");
      text.textContent = line.text;
      item.append(time, " ", text);
      item.className = "log-new";
      list.append(item);
      while (list.children.length > maxLines) { list.firstElementChild.remove(); }
      if (atBottom) { item.scrollIntoView({ block: "end" }); }
    }

    function stop(message) {
      if (source) { source.close(); source = null; }
      button.textContent = labels.start;
      button.setAttribute("aria-pressed", "false");
      view.classList.remove("following");
      if (message) { say(message); }
    }

    function start() {
      var url = new URL(view.dataset.followUrl, window.location.href);
      url.searchParams.set("after", lastNs);
      source = new EventSource(url.toString());
      button.textContent = labels.stop;
      button.setAttribute("aria-pressed", "true");
      view.classList.add("following");
      say(button.dataset.followingLabel || "Following: new lines appear below as they are written.");
      source.addEventListener("line", function (evt) {
        var line = JSON.parse(evt.data);
        lastNs = String(line.ns);
        append(line);
      });
      source.addEventListener("stopped", function (evt) { stop(JSON.parse(evt.data).message); });
      source.addEventListener("failed", function (evt) { stop(JSON.parse(evt.data).message); });
      source.addEventListener("busy", function (evt) { say(JSON.parse(evt.data).message); });
      source.addEventListener("error", function () {
        // EventSource reconnects by itself (resuming after Last-Event-ID); if it gave up,
        // the stream is closed for good.
        if (source && source.readyState === EventSource.CLOSED) {
          stop(button.dataset.lostLabel || "The live connection was lost.");
        }
      });
    }

    button.addEventListener("click", function () {
      if (source) { stop(button.dataset.pausedLabel || "Following paused."); } else { start(); }
    });
    window.addEventListener("pagehide", function () { stop(); });
  }

  function init() {
    document.querySelectorAll("#log-view").forEach(setup);
    // Picking another container shows its log at once.
    document.querySelectorAll("[data-log-form] [data-log-service]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
