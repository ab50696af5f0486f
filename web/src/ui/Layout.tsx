// The frame of every page: a skip link, the header with the node's name,
// the navigation for the person's roles, sign in/out, and the page itself.
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { apiAt, ok } from '../api/client';
import { setSession } from '../api/session';
import { useSession } from '../api/use-session';
import { navEntries } from './nav';
import { useBasket } from '../features/orders/basket-context';
import { basketCount } from '../features/orders/basket';
import { useChosenStore } from '../features/stores/chosen-store';

export function Layout() {
  const session = useSession();
  const navigate = useNavigate();
  const { basket } = useBasket();
  const { chosen } = useChosenStore();
  const node = useQuery({ queryKey: ['node'], queryFn: () => ok(apiAt().GET('/api/v1/node'), 'This node'), staleTime: 60_000 });
  const signOut = async () => {
    await apiAt().POST('/api/v1/auth/logout').catch(() => undefined);
    setSession(null);
    navigate('/');
  };
  const count = basketCount(basket);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <img src="/favicon.svg" alt="" width="20" height="20" /> CodePop
          {node.data && <span className="muted small"> · served by {node.data.displayName}</span>}
        </div>
        <nav aria-label="Main">
          <ul>
            {navEntries(session).map((e) => (
              <li key={e.label}>
                <NavLink to={e.to} end={e.to === '/' || e.to.endsWith('/')}>
                  {e.label}
                </NavLink>
              </li>
            ))}
            <li>
              <NavLink to="/checkout">Basket ({count})</NavLink>
            </li>
          </ul>
        </nav>
        <div className="who">
          {session ? (
            <>
              <span>Signed in as {session.user.username}</span>{' '}
              <button type="button" onClick={() => void signOut()}>
                Sign out
              </button>
            </>
          ) : (
            <>
              <NavLink to="/login">Sign in</NavLink> · <NavLink to="/signup">Sign up</NavLink>
            </>
          )}
        </div>
      </header>
      {chosen && (
        <p className="storeline small">
          Ordering from <strong>{chosen.name}</strong> · <NavLink to="/">change store</NavLink>
        </p>
      )}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
