// The floor: a bare node:http server that reads each body and answers 204, storing nothing.
// Whatever Vouch does beyond this (parsing, validation, attribution, a durable commit) is its overhead.
import { createServer } from "node:http";
import { serveProbe } from "./child-probe.js";

await serveProbe(async () => {
  const server = createServer((req, res) => {
    req.on("data", () => {});
    req.on("end", () => {
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
