import { useEffect, useRef, useState } from 'preact/hooks';
import type { KeyRow } from '../../shared/schemas/key';
import { ConfirmPrompt } from './ConfirmButton';
import { canRotate, RotatePanel, type Rotated } from './RotateKey';
import { UsageImpact } from './UsageImpact';

/** What a row offers; each handler resolves once the change is shown (true) or has failed (false). */
export interface RowActionHandlers {
  revoke?(row: KeyRow): Promise<boolean>;
  disable?(row: KeyRow): Promise<boolean>;
  enable?(row: KeyRow): Promise<boolean>;
  /** The list is the viewer's own keys: the question says "your key" instead of naming an owner. */
  mine?: boolean;
  /** What revoking would break, read from the server when the question opens ("Used 12 times in the last 24 h, …"). */
  impact?(row: KeyRow): Promise<string | null>;
  /** Offers Rotate next to Revoke (RotateKey.tsx); `onRotated` gets the new row and the old one as answered. */
  rotate?: { teamId: string; onRotated(rotated: Rotated): void };
}

interface Item {
  id: string;
  label: string;
  danger?: boolean;
  run(): void;
}

/**
 * The seed's "hover over a key and select Revoke", plus Disable/Enable and Copy ID. The
 * buttons show when the row is hovered or holds the focus (style.css), and fold into a "⋯"
 * menu on narrow screens. Revoke asks first, inline, naming the key and its owner.
 */
export function RowActions({ row, handlers, busy }: { row: KeyRow; handlers: RowActionHandlers; busy: boolean }) {
  const [asking, setAsking] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const root = useRef<HTMLDivElement>(null);

  /** Back to the first action the screen shows (the inline buttons or the "⋯"), never to <body>. */
  const refocus = () => requestAnimationFrame(() => [...(root.current?.querySelectorAll('button') ?? [])].find((b) => b.offsetParent !== null)?.focus());

  useEffect(() => {
    if (copy === 'idle') return;
    const timer = setTimeout(() => setCopy('idle'), 2500);
    return () => clearTimeout(timer);
  }, [copy]);

  useEffect(() => {
    if (!menuOpen) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !root.current?.contains(e.target as Node)) {
        setMenuOpen(false);
        if (e instanceof KeyboardEvent) refocus();
      }
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [menuOpen]);

  const copyId = async () => {
    try {
      await navigator.clipboard.writeText(row.id);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };

  if (rotating && handlers.rotate) {
    const { teamId, onRotated } = handlers.rotate;
    const close = (rotated: Rotated | null) => {
      setRotating(false);
      if (rotated) onRotated(rotated);
      refocus();
    };
    return (
      <div class="row-actions asking" ref={root}>
        <RotatePanel teamId={teamId} row={row} onClose={close} />
      </div>
    );
  }

  if (asking) {
    const owner = row.generatedBy.name ? `${row.generatedBy.name} <${row.generatedBy.email}>` : row.generatedBy.email;
    return (
      <div class="row-actions asking" ref={root}>
        <ConfirmPrompt
          label={`Confirm revoking ${row.name}`}
          question={
            <>
              {handlers.mine ? (
                <>
                  Revoke your key <strong>“{row.name}”</strong>? Anything using it stops working at once. This cannot be undone.
                </>
              ) : (
                <>
                  Revoke <strong>“{row.name}”</strong> of {owner}? Anything using it stops working at once, and its owner is told. This cannot be undone.
                </>
              )}
              {handlers.impact ? <UsageImpact load={() => handlers.impact!(row)} /> : null}
            </>
          }
          confirmLabel="Revoke key"
          busy={busy}
          onConfirm={() => {
            setAsking(false);
            void handlers.revoke?.(row).then(refocus);
          }}
          onCancel={() => {
            setAsking(false);
            refocus();
          }}
        />
      </div>
    );
  }

  const items: Item[] = [];
  if (canRotate(row) && handlers.rotate) items.push({ id: 'rotate', label: 'Rotate', run: () => setRotating(true) });
  if (row.status !== 'revoked' && handlers.revoke) items.push({ id: 'revoke', label: 'Revoke', danger: true, run: () => setAsking(true) });
  if (row.status === 'enabled' && handlers.disable) items.push({ id: 'disable', label: 'Disable', run: () => void handlers.disable!(row) });
  if (row.status === 'disabled' && handlers.enable) items.push({ id: 'enable', label: 'Enable', run: () => void handlers.enable!(row) });
  items.push({ id: 'copy', label: copy === 'copied' ? 'ID copied' : copy === 'failed' ? 'Copy failed' : 'Copy ID', run: () => void copyId() });

  return (
    <div class="row-actions" ref={root}>
      <span class="row-actions-inline">
        {items.map((item) => (
          <button
            key={item.id}
            type="button"
            class={`btn btn-small${item.danger ? ' btn-danger-outline' : ''}`}
            disabled={busy && item.id !== 'copy'}
            aria-label={`${item.label} ${row.name}`}
            title={item.id === 'copy' && copy === 'failed' ? `The clipboard refused; the ID is ${row.id}` : undefined}
            onClick={item.run}
          >
            {item.label}
          </button>
        ))}
      </span>
      <span class="row-actions-more">
        <button type="button" class="btn btn-small" aria-haspopup="menu" aria-expanded={menuOpen} aria-label={`Actions for ${row.name}`} onClick={() => setMenuOpen((o) => !o)}>
          ⋯
        </button>
        {menuOpen ? (
          <span class="menu" role="menu" aria-label={`Actions for ${row.name}`}>
            {items.map((item) => (
              <button
                key={item.id}
                type="button"
                role="menuitem"
                class={`menu-item${item.danger ? ' danger-text' : ''}`}
                disabled={busy && item.id !== 'copy'}
                onClick={() => {
                  setMenuOpen(false);
                  item.run();
                }}
              >
                {item.label}
              </button>
            ))}
          </span>
        ) : null}
      </span>
    </div>
  );
}
