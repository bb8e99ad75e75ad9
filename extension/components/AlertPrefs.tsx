import { plural } from '../lib/plural';
import { POLL_MINUTES_CHOICES, updateSettings, type Settings } from '../lib/storage';

/** Desktop notifications on/off and how often the badge checks when push is unavailable. */
export function AlertPrefs({ settings }: { settings: Settings }) {
  return (
    <section class="card" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts</h2>
      <label class="check">
        <input type="checkbox" name="desktopNotifications" checked={settings.desktopNotifications} onChange={(e) => void updateSettings({ desktopNotifications: e.currentTarget.checked })} />
        <span>Desktop notification when one of my keys is revoked</span>
      </label>
      <label class="field field-inline">
        <span>Check for alerts every</span>
        <select name="pollMinutes" value={String(settings.pollMinutes)} onChange={(e) => void updateSettings({ pollMinutes: Number(e.currentTarget.value) })}>
          {POLL_MINUTES_CHOICES.map((m) => (
            <option key={m} value={m}>
              {m % 60 === 0 ? plural(m / 60, 'hour', 'hours') : plural(m, 'minute', 'minutes')}
            </option>
          ))}
        </select>
      </label>
      <p class="hint">The badge also updates at once when the server pushes a change.</p>
    </section>
  );
}
