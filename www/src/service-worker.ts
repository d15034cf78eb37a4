// Caches every file of the site at install (the list and version are filled in by the build) and
// answers from the cache first: the site works offline. A new build installs a new cache and then
// waits: it takes over only once no page of the old build is open, so an open page never gets
// files of another build (a worker, the ONNX module) beside its own.
declare const SITE_FILES: string[];
declare const SITE_VERSION: string;

interface ExtendableEvent extends Event { waitUntil(work: Promise<unknown>): void }
interface FetchEvent extends ExtendableEvent { request: Request; respondWith(response: Promise<Response>): void }
interface ServiceWorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  clients: { claim(): Promise<void> };
}

const scope = self as unknown as ServiceWorkerScope;
const CACHE = `convas-site-${SITE_VERSION}`;

scope.addEventListener('install', (event) => {
  // From the server, not the browser's HTTP cache: a host's max-age would otherwise fill the new cache with the old build.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SITE_FILES.map((file) => new Request(file, { cache: 'reload' })))));
});

scope.addEventListener('activate', (event) => {
  // Only pages of no build are open now (the first visit's, which the cache is then made for): take them.
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
    .then(() => scope.clients.claim()));
});

scope.addEventListener('fetch', (event) => {
  if (event.request.method !== 'GET' || new URL(event.request.url).origin !== location.origin) return;
  event.respondWith(caches.open(CACHE).then(async (cache) => (await cache.match(event.request, { ignoreSearch: true })) ?? fetch(event.request)));
});
