import SwaggerUI from "swagger-ui-dist/swagger-ui-es-bundle.js";
import "swagger-ui-dist/swagger-ui.css";

// The API page (/api): Swagger UI, bundled into the console's build, reading the server's own
// description. Nothing is loaded from elsewhere: no validator badge (it would call
// validator.swagger.io).
SwaggerUI({
  url: "/api.json",
  dom_id: "#api",
  deepLinking: true,
  validatorUrl: null,
  defaultModelsExpandDepth: 0,
});
