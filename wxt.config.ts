import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

/**
 * The extension, for Chrome and for Firefox (`npm run build:firefox`), both
 * Manifest V3. No content script in the manifest: the session token lives in
 * extension storage, which only the extension's own pages and background read.
 * The opt-in leak guard's script is registered at run time, and only on sites
 * the user granted.
 */
export default defineConfig({
  srcDir: 'extension',
  // Overridable so a test of `npm start` cannot rebuild the bundle the e2e tests have loaded.
  outDir: process.env.EXTENSION_OUT_DIR || '.output',
  publicDir: 'extension/public',
  imports: false,
  // WXT builds Firefox as MV2 by default; MV3 keeps one code path (`action`, `storage.session`,
  // optional host permissions). WXT turns the background into event-page scripts for Firefox.
  manifestVersion: 3,
  vite: () => ({ plugins: [preact()] }),
  manifest: ({ browser }) => ({
    name: 'Keywarden',
    description: 'API-key management for teams: alerts when your keys are revoked or expiring, and quick revoke from any tab.',
    // `scripting` registers the leak guard's content script, only for sites the user granted (optional host permissions).
    permissions: ['storage', 'alarms', 'contextMenus', 'notifications', 'scripting'],
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    action: { default_title: 'Keywarden' },
    commands: {
      _execute_action: { suggested_key: { default: 'Alt+Shift+K' }, description: 'Open Keywarden' },
    },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              // MV3 add-ons need an id; this one is ours for local installs and signing.
              id: 'keywarden@keywarden.invalid',
              // 140 (the current ESR) is the first to know data_collection_permissions.
              strict_min_version: '140.0',
              // Nothing is sent anywhere but the team's own Keywarden server.
              data_collection_permissions: { required: ['none'] },
            },
            // Firefox for Android learnt data_collection_permissions in 142.
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {}),
  }),
});
