// Registers the service worker that caches the site, so the pages work offline once loaded, and
// says when a new build is ready: it waits until no page of this one is open (service-worker.ts).
export function workOffline(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('service-worker.js').then((registration) => {
    const waitingNow = () => {
      if (registration.waiting && navigator.serviceWorker.controller) showUpdateNotice();
    };
    waitingNow();
    registration.addEventListener('updatefound', () => registration.installing?.addEventListener('statechange', waitingNow));
  }).catch((error) => console.warn('offline cache unavailable:', error));
}

function showUpdateNotice(): void {
  if (document.querySelector('.update-notice')) return;
  const notice = document.createElement('p');
  notice.className = 'update-notice';
  notice.setAttribute('role', 'status');
  notice.textContent = 'A new version of this site is ready: it loads once every tab of this site is closed.';
  document.body.append(notice);
}
