import { cleanup, configure } from '@testing-library/preact';
import { afterEach } from 'vitest';
import { resetConnectionState } from '../../extension/hooks/use-connection-problem';

/**
 * For every unit test file: testing-library's waits get a deadline that fits a
 * loaded 2-core CI machine (its default is 1 s), and rendered components are
 * removed after each test so no test sees another's DOM, nor its page's
 * "server unreachable" state (a module-level fact of the page).
 */
configure({ asyncUtilTimeout: 30_000 });
afterEach(() => {
  cleanup();
  resetConnectionState();
});
