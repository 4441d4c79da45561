/** The portal's shell: header with navigation, tenant and live state; one page at a time in <main>. */
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { startLive } from './live';
import { Header } from './header';
import { onLinkClick, route } from './router';
import { useValue } from './signal';
import { pageFor } from './routes';
import './styles.css';

function App() {
  const r = useValue(route);
  const { title, view } = pageFor(r);
  useEffect(() => {
    document.title = `${title} · Mimosa`;
  }, [title]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Header path={r.split('?')[0]} />
      <main id="main" tabIndex={-1} aria-label={title}>
        {view}
      </main>
    </>
  );
}

document.addEventListener('click', onLinkClick);
startLive();
render(<App />, document.getElementById('app')!);
