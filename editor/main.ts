// Shows whether the runtime answers /healthz (the editor proper comes in a later issue).
const el = document.getElementById('status');

async function check(): Promise<void> {
  if (!el) return;
  try {
    const res = await fetch('/healthz');
    const body = (await res.json()) as { status: string; version: string };
    el.textContent = res.ok ? `up (version ${body.version})` : `not ready (${body.status})`;
  } catch {
    el.textContent = 'unreachable';
  }
}

void check();
