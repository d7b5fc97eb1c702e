import Link from 'next/link';

export default function NotFound() {
  return (
    <section className="empty-state">
      <h1>No such page</h1>
      <p>
        Go to the <Link href="/">plant overview</Link> or the <Link href="/alerts">alerts</Link>.
      </p>
    </section>
  );
}
