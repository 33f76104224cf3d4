// The API reference: Swagger UI (static/vendor/swagger-ui-dist) reads the OpenAPI document
// whose address the page gives, in the page's language.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    // The public validator would be asked about the document from another site.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    supportedSubmitMethods: ["get", "head"],
  });
});
