/** What a non-admin sees at an admin page's address (the navigation does not offer it to them). */
export function AdminOnly({ what }: { what: string }) {
  return (
    <div className="page">
      <div className="banner info" data-testid="admin-only">
        {what} is for admins. Ask an admin if you need something changed here.
      </div>
    </div>
  );
}
