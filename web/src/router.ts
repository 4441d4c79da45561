/**
 * History routing for the portal's pages. The server answers index.html for exactly these paths
 * (src/portal/static.ts PAGE_ROUTES), so a reload or a shared link opens the same page.
 */
import { signal } from './signal';

export const route = signal(location.pathname + location.search);

export function navigate(to: string): void {
  if (to === route.value) return;
  history.pushState(null, '', to);
  route.set(to);
  window.scrollTo(0, 0);
}

addEventListener('popstate', () => route.set(location.pathname + location.search));

/** Follows same-origin links to portal pages without reloading (modifier keys keep the browser's behaviour). */
export function onLinkClick(e: MouseEvent): void {
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  if (a.target || a.hasAttribute('download') || a.origin !== location.origin || !a.hasAttribute('data-page')) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
}

export function queryOf(r: string): URLSearchParams {
  const i = r.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : r.slice(i + 1));
}
