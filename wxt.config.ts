import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

/**
 * The Chrome MV3 extension. No content scripts: the session token lives in
 * chrome.storage.local, which only the extension's own pages and service
 * worker can read.
 */
export default defineConfig({
  srcDir: 'extension',
  // Overridable so a test of `npm start` cannot rebuild the bundle the e2e tests have loaded.
  outDir: process.env.EXTENSION_OUT_DIR || '.output',
  publicDir: 'extension/public',
  imports: false,
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: 'Keywarden',
    description: 'API-key management for teams: alerts when your keys are revoked or expiring, and quick revoke from any tab.',
    permissions: ['storage', 'alarms', 'contextMenus', 'notifications'],
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    action: { default_title: 'Keywarden' },
    commands: {
      _execute_action: { suggested_key: { default: 'Alt+Shift+K' }, description: 'Open Keywarden' },
    },
  },
});
