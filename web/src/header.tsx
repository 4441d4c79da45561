/** The banner: navigation, the tenant the pages show, and whether live updates flow. */
import { useEffect, useState } from 'preact/hooks';
import { get, tenant } from './api';
import { liveState } from './live';
import { NAV } from './routes';
import { useValue } from './signal';

const LIVE_TEXT = { connecting: 'Connecting…', live: 'Live', offline: 'Offline' };

function TenantPicker() {
  const t = useValue(tenant);
  const [tenants, setTenants] = useState<string[]>([]);
  useEffect(() => {
    get<string[]>('/mimosa/portal/tenants').then(setTenants, () => setTenants(['']));
  }, []);
  const options = tenants.includes(t) ? tenants : [...tenants, t];
  return (
    <label class="tenant">
      Tenant{' '}
      <select value={t} onChange={(e) => tenant.set((e.target as HTMLSelectElement).value)}>
        {options.map((o) => (
          <option value={o}>{o === '' ? '(default)' : o}</option>
        ))}
      </select>
    </label>
  );
}

export function Header({ path }: { path: string }) {
  const live = useValue(liveState);
  return (
    <header class="banner">
      <a class="brand" href="/" data-page>
        Mimosa
      </a>
      <nav aria-label="Portal">
        <ul>
          {NAV.map(([href, label]) => (
            <li>
              <a href={href} data-page aria-current={(href === '/' ? path === '/' : path.startsWith(href)) ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <TenantPicker />
      <p class={`live live-${live}`} role="status" id="live-state">
        {LIVE_TEXT[live]}
      </p>
    </header>
  );
}
