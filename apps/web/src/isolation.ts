const RELOADED = "axvisor-coi-reload";

/**
 * Makes the page cross-origin isolated when its server did not: registers `coi-sw.js`, which
 * adds the COOP/COEP headers, and reloads once under its control. Resolves true when the page
 * is isolated, false when it cannot be (no service workers: not a secure context), and never
 * while a reload is under way.
 */
export async function ensureIsolation(): Promise<boolean> {
  if (crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    return true;
  }
  if (!isSecureContext || !("serviceWorker" in navigator)) return false;
  if (sessionStorage.getItem(RELOADED) !== null) {
    // Reloaded once already and still not isolated: do not loop.
    sessionStorage.removeItem(RELOADED);
    return false;
  }
  await navigator.serviceWorker.register(new URL("coi-sw.js", document.baseURI), { scope: "./" });
  await navigator.serviceWorker.ready;
  sessionStorage.setItem(RELOADED, "1");
  location.reload();
  return new Promise<boolean>(() => {});
}
