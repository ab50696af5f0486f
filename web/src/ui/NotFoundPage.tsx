import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page here. <Link to="/">Find a store</Link> to order.
      </p>
    </section>
  );
}
