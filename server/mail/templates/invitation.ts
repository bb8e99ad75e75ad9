import type { Role } from '../../../shared/schemas/common';
import { formatWhen } from './key-notice-params';
import { escapeHtml, layout } from './layout';

const ROLE_NAMES: Record<Role, string> = { super_admin: 'a super admin', admin: 'an admin', member: 'a member' };

/** The email that asks someone with a Keywarden account to join a team. Pure. */
export function invitationMail(p: { teamName: string; role: Role; inviterEmail: string | null; expiresAt: Date; publicUrl: string }) {
  const who = p.inviterEmail ?? 'A team admin';
  const subject = `${who} invited you to join "${p.teamName}" on Keywarden`;
  const what = `${who} invited you to join the team "${p.teamName}" on Keywarden as ${ROLE_NAMES[p.role]}.`;
  const how = 'To accept or decline, open the Keywarden extension from your browser toolbar: the invitation is at the top of the popup.';
  const until = `The invitation is open until ${formatWhen(p.expiresAt)}.`;
  const privacy = 'Until you accept, you are not a member: the team sees none of your keys or sign-ins. If you do not know this team, decline it or let it expire.';
  const text = [what, '', how, until, '', privacy, '', `Keywarden: ${p.publicUrl}`].join('\n');
  const html = layout(
    subject,
    `<p>${escapeHtml(what)}</p>
<p>${escapeHtml(how)}</p>
<p>${escapeHtml(until)}</p>
<p style="color:#666">${escapeHtml(privacy)}</p>
<p><a href="${escapeHtml(p.publicUrl)}">Open Keywarden</a></p>`,
  );
  return { subject, text, html };
}
