// Start Swagger UI on this sandbox's own description (no CDN, no online validator), one half
// at a time: LivePerson's APIs or the sandbox's own routes (Swagger UI stops rendering a page
// of more than about 135 expanded operations, and the whole description has more).
"use strict";

const PARTS = { liveperson: "LivePerson APIs", sandbox: "Sandbox routes (control plane, pages, live view)" };

function partFromUrl() {
  const part = new URLSearchParams(window.location.search).get("part");
  return part in PARTS ? part : "liveperson";
}

function show(part) {
  window.ui = window.SwaggerUIBundle({
    url: `/openapi.json?part=${part}`,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
    persistAuthorization: false,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
}

window.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("docs-part");
  const part = partFromUrl();
  select.value = part;
  select.addEventListener("change", () => {
    const url = new URL(window.location.href);
    url.searchParams.set("part", select.value);
    url.hash = "";
    window.history.replaceState(null, "", url);
    show(select.value);
  });
  show(part);
});
