// AxVisor.ts's page needs cross-origin isolation (SharedArrayBuffer: the emulated CPUs keep RAM
// in a shared WebAssembly.Memory). `pnpm web` and `vite preview` send the two headers; a plain
// static file server does not, so this service worker adds them to the site's own responses.
// The page registers it only when it is not isolated, then reloads once under its control.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  // Requests the browser would refuse to replay (an only-if-cached cross-origin probe).
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.status === 0) return response;
      const headers = new Headers(response.headers);
      headers.set("Cross-Origin-Opener-Policy", "same-origin");
      headers.set("Cross-Origin-Embedder-Policy", "require-corp");
      headers.set("Cross-Origin-Resource-Policy", "same-origin");
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
    }),
  );
});
