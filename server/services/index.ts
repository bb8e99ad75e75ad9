import type { Deps } from '../deps';
import { actionsRepo } from '../db/actions.repo';
import { auditRepo } from '../db/audit.repo';
import { authRepo } from '../db/auth.repo';
import { keysRepo } from '../db/keys.repo';
import { teamsRepo } from '../db/teams.repo';
import { usersRepo } from '../db/users.repo';
import { auditService } from './audit.service';
import { authService } from './auth.service';
import { keyActionsService } from './key-actions.service';
import { noKeyEvents, type KeyEvents } from './key-events';
import { keysService } from './keys.service';
import { teamsService } from './teams.service';
import { verifyService } from './verify.service';

/** Wires repos into services once per process (or per test). */
export function createServices(deps: Deps, overrides: { keyEvents?: KeyEvents } = {}) {
  const repos = {
    teams: teamsRepo(deps.cols),
    users: usersRepo(deps.cols),
    auth: authRepo(deps.cols),
    keys: keysRepo(deps.cols),
    audit: auditRepo(deps.cols),
    actions: actionsRepo(deps.cols),
  };
  const audit = auditService(deps, repos.audit);
  const teams = teamsService(deps, repos);
  const auth = authService(deps, repos, teams, audit);
  const keyActions = keyActionsService(deps, repos, audit, overrides.keyEvents ?? noKeyEvents);
  const keys = keysService(deps, repos, audit, keyActions);
  const verify = verifyService(deps, repos);
  return { repos, audit, teams, auth, keyActions, keys, verify };
}
export type Services = ReturnType<typeof createServices>;
