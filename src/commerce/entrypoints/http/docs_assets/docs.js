// Starts Swagger UI on the docs page. A file of its own, not an inline script, so the page's
// Content-Security-Policy can allow scripts from this service only.
const container = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: container.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  deepLinking: true,
  // The default validator badge is an image from a public server.
  validatorUrl: null,
});
