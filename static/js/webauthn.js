// Security keys and passkeys (WebAuthn): register on the Security page, sign in on the
// login and second-step pages. The server sends py_webauthn's JSON options; the browser
// parses them and answers with credential.toJSON(). No inline script: CSP.
(function () {
  "use strict";

  function messages() {
    var el = document.getElementById("webauthn-messages");
    return el ? el.dataset : {};
  }

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    if (headers) {
      try { return JSON.parse(headers)["X-CSRFToken"] || ""; } catch (e) { /* fall through */ }
    }
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function supported() {
    return !!(window.PublicKeyCredential &&
      typeof window.PublicKeyCredential.parseCreationOptionsFromJSON === "function" &&
      typeof window.PublicKeyCredential.parseRequestOptionsFromJSON === "function" &&
      navigator.credentials);
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok && !data.error) { data.error = messages().failed || "Request failed"; }
        return data;
      });
    });
  }

  function status(box, text, isError) {
    var el = box.querySelector("[data-webauthn-status]");
    if (!el) { return; }
    el.textContent = text || "";
    el.hidden = !text;
    el.className = "notice " + (isError ? "notice-error" : "notice-info");
    el.setAttribute("role", isError ? "alert" : "status");
  }

  function explain(err) {
    var msg = messages();
    if (err && err.name === "NotAllowedError") { return msg.cancelled; }
    if (err && err.name === "InvalidStateError") { return msg.duplicate; }
    return (err && err.message) || msg.failed;
  }

  function finish(box, result) {
    if (result.redirect) { window.location.assign(result.redirect); return; }
    throw new Error(result.error || messages().failed);
  }

  function register(box, trigger) {
    var nameInput = box.querySelector("[data-webauthn-name]");
    var name = nameInput ? nameInput.value.trim() : "";
    return postJSON(trigger.dataset.optionsUrl, {}).then(function (options) {
      if (options.error) {
        if (options.redirect) { window.location.assign(options.redirect); return null; }
        throw new Error(options.error);
      }
      status(box, messages().waiting, false);
      var publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
      return navigator.credentials.create({ publicKey: publicKey }).then(function (credential) {
        return postJSON(trigger.dataset.verifyUrl, { name: name, credential: credential.toJSON() });
      }).then(function (result) { finish(box, result); });
    });
  }

  function authenticate(box, trigger) {
    return postJSON(trigger.dataset.optionsUrl, {}).then(function (options) {
      if (options.error) {
        if (options.redirect) { window.location.assign(options.redirect); return null; }
        throw new Error(options.error);
      }
      if (options.redirect && !options.challenge) { window.location.assign(options.redirect); return null; }
      status(box, messages().waiting, false);
      var publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
      return navigator.credentials.get({ publicKey: publicKey }).then(function (credential) {
        return postJSON(trigger.dataset.verifyUrl, credential.toJSON());
      }).then(function (result) { finish(box, result); });
    });
  }

  function run(trigger) {
    var box = trigger.closest("[data-webauthn-box]") || trigger;
    var buttons = box.querySelectorAll("button");
    if (!supported()) { status(box, messages().unsupported, true); return; }
    buttons.forEach(function (b) { b.disabled = true; });
    status(box, "", false);
    var ceremony = trigger.dataset.webauthn === "register" ? register : authenticate;
    ceremony(box, trigger).catch(function (err) {
      status(box, explain(err), true);
    }).then(function () {
      buttons.forEach(function (b) { b.disabled = false; });
    });
  }

  document.addEventListener("submit", function (evt) {
    var form = evt.target.closest("form[data-webauthn]");
    if (!form) { return; }
    evt.preventDefault();
    run(form);
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest("button[data-webauthn]");
    if (!button) { return; }
    evt.preventDefault();
    run(button);
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (supported()) { return; }
    document.querySelectorAll("[data-webauthn]").forEach(function (el) {
      var box = el.closest("[data-webauthn-box]") || el;
      status(box, messages().unsupported, true);
    });
  });
})();
