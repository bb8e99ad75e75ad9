import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { findKeys, LEAK_FOUND, warningText } from '../../lib/leak-scan';

/**
 * The leak guard in a page. Registered at run time only for the sites the user
 * chose and granted (extension/lib/leak-guard-worker.ts), never from the
 * manifest. It reads the page's text and pasted text in this isolated world,
 * warns inside a closed shadow root (the page can neither read the warning nor
 * reach the extension through it), and sends the worker only the keys it found.
 */
const RESCAN_MS = 1000;

export default defineContentScript({
  registration: 'runtime',
  matches: [],
  noScriptStartedPostMessage: true,
  main() {
    const reported = new Set<string>();
    let banner: { host: HTMLElement; text: HTMLElement } | null = null;

    const warn = () => {
      if (!banner) {
        const host = document.createElement('keywarden-leak-guard');
        const root = host.attachShadow({ mode: 'closed' });
        const style = document.createElement('style');
        style.textContent = `:host{all:initial;position:fixed;z-index:2147483647;right:16px;bottom:16px;max-width:420px}
div{font:14px/1.4 system-ui,sans-serif;background:#fce8e6;color:#5f1a12;border:1px solid #d93025;border-radius:8px;padding:10px 36px 10px 12px;box-shadow:0 2px 8px rgba(0,0,0,.2)}
button{position:absolute;top:6px;right:8px;border:0;background:none;font:18px system-ui;cursor:pointer;color:inherit}`;
        const box = document.createElement('div');
        box.setAttribute('role', 'alert');
        const text = document.createElement('span');
        const close = document.createElement('button');
        close.type = 'button';
        close.setAttribute('aria-label', 'Dismiss');
        close.textContent = '×';
        close.addEventListener('click', () => host.remove());
        box.append(text, close);
        root.append(style, box);
        document.documentElement.append(host);
        banner = { host, text };
      }
      banner.text.textContent = warningText([...reported]);
      if (!banner.host.isConnected) document.documentElement.append(banner.host);
    };

    const scan = (text: string) => {
      const fresh = findKeys(text).filter((k) => !reported.has(k));
      if (fresh.length === 0) return;
      for (const k of fresh) reported.add(k);
      warn();
      void browser.runtime.sendMessage({ type: LEAK_FOUND, keys: fresh }).catch(() => {});
    };

    scan(document.body?.innerText ?? '');
    // Text pasted into a field is checked as it arrives, before the page can send it anywhere.
    document.addEventListener('paste', (e) => scan(e.clipboardData?.getData('text/plain') ?? ''), true);
    let timer: ReturnType<typeof setTimeout> | null = null;
    new MutationObserver(() => {
      timer ??= setTimeout(() => {
        timer = null;
        scan(document.body?.innerText ?? '');
      }, RESCAN_MS);
    }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  },
});
