// Registers the service worker that caches the site, so the pages work offline once loaded.
export function workOffline(): void {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('service-worker.js').catch((error) => console.warn('offline cache unavailable:', error));
  }
}
