import { useEffect, useState } from 'preact/hooks';

/**
 * What a revoke or disable would break, read from the server when the question opens: "Used 3,412
 * times in the last 24 h, …". `load` resolves to the sentence, or null when there is nothing to
 * say; a failed read says so and never blocks the action. Polite, so the answer is heard.
 */
export function UsageImpact({ load }: { load: () => Promise<string | null> }) {
  const [text, setText] = useState<string | null | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    load().then(
      (t) => live && setText(t),
      () => live && setFailed(true),
    );
    return () => void (live = false);
    // Read once, when the question opens.
  }, []);
  if (text === null) return null;
  return (
    <span class={`usage-impact${failed ? ' muted' : ''}`} aria-live="polite">
      {failed ? 'Recent use could not be read.' : text === undefined ? 'Checking recent use…' : text}
    </span>
  );
}
