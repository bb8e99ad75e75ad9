import { z } from 'zod';

/**
 * zod 4 compiles validators with `new Function` when it can. Extension pages
 * run under the default MV3 CSP (no eval), so turn that off up front instead
 * of letting the probe trip a CSP violation on every page.
 */
z.config({ jitless: true });
