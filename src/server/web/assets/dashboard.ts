// The dashboard's one script, served as /assets/dashboard.js (the CSP allows no inline script).
// Pages work without it; it adds live updates and the copy button.
export {};

const status = document.getElementById('live-status');
const say = (text: string): void => {
  if (status) status.textContent = text;
};

// ---- copy the install command ----------------------------------------------------------------
for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
  button.addEventListener('click', () => {
    const input = document.getElementById(button.dataset.copy ?? '');
    if (!(input instanceof HTMLInputElement)) return;
    const done = (ok: boolean) => {
      button.textContent = ok ? 'Copied' : 'Press Ctrl+C';
      window.setTimeout(() => (button.textContent = 'Copy'), 2000);
    };
    const fallback = () => {
      input.focus();
      input.select();
      let ok = false;
      try {
        ok = document.execCommand('copy');
      } catch {
        ok = false;
      }
      done(ok);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(() => done(true), fallback);
    else fallback();
  });
}

// ---- live updates ----------------------------------------------------------------------------
// /events says "something changed" ({seq, type}); when it is a type this page shows (data-watch on
// <body>), the page fetches itself again and swaps each [data-live] region that differs.
const watch = (document.body.dataset.watch ?? '').split(' ').filter(Boolean);

/** Keep the keyboard where it was when the region around it is replaced. */
function focusKey(el: Element): string | undefined {
  if (el.id) return `#${CSS.escape(el.id)}`;
  const link = el.getAttribute('href');
  if (link !== null) return `${el.tagName.toLowerCase()}[href="${CSS.escape(link)}"]`;
  return undefined;
}

function swap(doc: Document): number {
  let changed = 0;
  for (const region of document.querySelectorAll<HTMLElement>('[data-live][id]')) {
    const fresh = doc.getElementById(region.id);
    if (!fresh || !fresh.hasAttribute('data-live') || fresh.innerHTML === region.innerHTML) continue;
    const active = document.activeElement;
    const key = active && region.contains(active) ? focusKey(active) : undefined;
    const open = [...region.querySelectorAll('details[open] > summary')].map((s) => s.textContent);
    const node = document.importNode(fresh, true);
    for (const summary of node.querySelectorAll('details > summary')) {
      if (open.includes(summary.textContent)) (summary.parentElement as HTMLDetailsElement).open = true;
    }
    region.replaceWith(node);
    if (key) (node.querySelector<HTMLElement>(key) ?? node).focus?.();
    changed++;
  }
  return changed;
}

if (watch.length > 0 && 'EventSource' in window) {
  let timer: number | undefined;
  let busy = false;
  let again = false;
  let lost = false;

  const refresh = async (): Promise<void> => {
    timer = undefined;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const res = await fetch(window.location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
      if (res.redirected && new URL(res.url).pathname === '/login') {
        say('signed out: reload to sign in');
        return;
      }
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      if (swap(doc) > 0) say(`updated ${new Date().toLocaleTimeString()}`);
    } catch {
      say('update failed; retrying on the next change');
    } finally {
      busy = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = (): void => {
    timer ??= window.setTimeout(() => void refresh(), 25);
  };

  const events = new EventSource('/events');
  events.addEventListener('open', () => {
    say('live');
    // back after a lost connection (a server restart): catch up on what was missed
    if (lost) {
      lost = false;
      schedule();
    }
  });
  events.addEventListener('error', () => {
    lost = true;
    say(events.readyState === EventSource.CLOSED ? 'not live: reload the page' : 'reconnecting…');
  });
  events.addEventListener('change', (e) => {
    try {
      const { type } = JSON.parse((e as MessageEvent<string>).data) as { type: string };
      if (watch.some((prefix) => type.startsWith(prefix))) schedule();
    } catch {
      // not ours
    }
  });
  window.addEventListener('pagehide', () => events.close());
}
