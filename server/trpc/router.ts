import { router } from './init';
import { authRouter } from './routers/auth.router';
import { keysRouter } from './routers/keys.router';

export const appRouter = router({
  auth: authRouter,
  keys: keysRouter,
});

/** The only thing the extension imports from the server: a type. */
export type AppRouter = typeof appRouter;
