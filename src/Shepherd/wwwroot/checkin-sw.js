// The kiosk's service worker (scope /checkin): keeps the last copy of the kiosk page, the stylesheet and the scripts, so
// a reload while the server is unreachable still opens the kiosk (whose queue then holds the check-ins). Everything else
// (the handlers' JSON, other pages) goes to the network as if there were no worker.
const CACHE = "shepherd-kiosk-v1";
const KIOSK = "/checkin";
const WAIT_MS = 4000;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("shepherd-kiosk-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const kiosk = request.mode === "navigate" && url.pathname === KIOSK && url.search === "";
  const asset = url.pathname.startsWith("/css/") || url.pathname.startsWith("/js/") || url.pathname === "/favicon.svg";
  if (kiosk || asset) event.respondWith(networkFirst(request, kiosk ? KIOSK : request));
});

/** The server's answer when it comes in time (and a copy kept), else the kept copy. */
async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then(async (response) => {
    // Never keep a redirect (a session that ended answers /checkin with the sign-in page) or an error.
    if (response.ok && !response.redirected && response.type === "basic") await cache.put(key, response.clone());
    return response;
  });
  network.catch(() => {}); // answered from the cache below; nothing more to do with the failure
  const late = new Promise((resolve) => setTimeout(resolve, WAIT_MS, null));
  try {
    const answer = await Promise.race([network, late]);
    if (answer) return answer;
  } catch {
    // Unreachable: the kept copy below.
  }
  const kept = await cache.match(key);
  return kept ?? network;
}
