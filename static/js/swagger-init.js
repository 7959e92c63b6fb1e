// Starts Swagger UI on /api/swagger; the document's address comes from the page (no inline script: CSP).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle !== "function") { return; }
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Keys belong in the X-API-Key header only; never keep one in the browser.
    persistAuthorization: false,
    tryItOutEnabled: false,
    validatorUrl: null
  });
})();
