import { TOKEN_SCOPE_DESCRIPTIONS, TOKEN_SCOPES, type TokenScope } from '../../shared/schemas/token';

/** The scopes of a new API token, one checkbox each with the one line (from shared/) on what it allows. */
export function ScopeChecklist({ value, onChange, disabled }: { value: TokenScope[]; onChange(next: TokenScope[]): void; disabled?: boolean }) {
  // Kept in TOKEN_SCOPES order whatever the clicking order, so the request reads the same as the list.
  const toggle = (scope: TokenScope, on: boolean) => onChange(TOKEN_SCOPES.filter((s) => (s === scope ? on : value.includes(s))));
  return (
    <fieldset class="filter-group scopes">
      <legend>Scopes</legend>
      {TOKEN_SCOPES.map((scope) => (
        <label key={scope} class="check scope">
          <input type="checkbox" name="tokenScope" value={scope} checked={value.includes(scope)} disabled={disabled} onChange={(e) => toggle(scope, e.currentTarget.checked)} aria-describedby={`scope-${scope.replace(':', '-')}`} />
          <span class="mono">{scope}</span>
          <span class="muted" id={`scope-${scope.replace(':', '-')}`}>
            {TOKEN_SCOPE_DESCRIPTIONS[scope]}
          </span>
        </label>
      ))}
    </fieldset>
  );
}
