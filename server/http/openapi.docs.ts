import { createHash } from 'node:crypto';
import type { AppErrorCode } from '../errors';
import { PROBLEM_CODES, problemAnchor, problemStatus, type OpenApiDocument } from './openapi';

/**
 * The API reference page (`GET /v1/docs`), rendered on the server from the OpenAPI
 * document itself, so the two say the same. Everything is in the page: its style and
 * its small filter script are inline and allowed by their hashes in a strict
 * Content-Security-Policy; nothing is loaded from anywhere, this origin included.
 * Without the script, every operation is simply shown.
 */

type Json = Record<string, unknown>;

const esc = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** The document's descriptions: `code` as <code>, lines starting with "- " as a list; everything else escaped. */
function prose(text: unknown): string {
  const inline = (line: string) => esc(line).replace(/`([^`]+)`/g, '<code>$1</code>');
  const lines = String(text ?? '').split('\n').filter((line) => line.trim() !== '');
  const items = lines.filter((line) => line.startsWith('- ')).map((line) => `<li>${inline(line.slice(2))}</li>`);
  const rest = lines.filter((line) => !line.startsWith('- ')).map(inline).join('<br>');
  return items.length ? `${rest}<ul>${items.join('')}</ul>` : rest;
}

function resolve(doc: OpenApiDocument, value: unknown): Json {
  const ref = (value as Json | undefined)?.$ref;
  if (typeof ref !== 'string') return (value ?? {}) as Json;
  let target: unknown = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) target = (target as Json)[part];
  return resolve(doc, target);
}

/** A one-line type: `string (date-time)`, `array of string`, `"a" | "b"`, `integer 1–100`, `… or null`. */
function typeOf(doc: OpenApiDocument, raw: unknown): string {
  const schema = resolve(doc, raw);
  const variants = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (variants) return variants.map((v) => typeOf(doc, v)).join(' or ');
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.type === 'array') return `array of ${typeOf(doc, schema.items)}`;
  let label = Array.isArray(schema.type) ? schema.type.join(' or ') : String(schema.type ?? 'any');
  if (schema.format) label += ` (${String(schema.format)})`;
  // zod bounds every .int() by the safe integers: no news to a reader.
  const bound = (value: unknown) => (typeof value === 'number' && Math.abs(value) < Number.MAX_SAFE_INTEGER ? value : undefined);
  const min = bound(schema.minimum ?? schema.minLength ?? schema.minItems);
  const max = bound(schema.maximum ?? schema.maxLength ?? schema.maxItems);
  if (min !== undefined || max !== undefined) label += ` ${String(min ?? '')}–${String(max ?? '')}`;
  return label;
}

/** The objects a schema is made of (itself, its array's items, a union's variants), for the field lists. */
function objectsOf(doc: OpenApiDocument, raw: unknown): Json[] {
  const schema = resolve(doc, raw);
  if (schema.type === 'object' && schema.properties) return [schema];
  if (schema.type === 'array') return objectsOf(doc, schema.items);
  const variants = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  return variants ? variants.flatMap((v) => objectsOf(doc, v)) : [];
}

function fields(doc: OpenApiDocument, raw: unknown, depth = 0): string {
  if (depth > 4) return '';
  return objectsOf(doc, raw)
    .map((object) => {
      const required = new Set((object.required ?? []) as string[]);
      const rows = Object.entries(object.properties as Record<string, Json>).map(([name, property]) => {
        const note = property.description ? ` — ${prose(property.description)}` : '';
        const flag = required.has(name) ? '' : ' <span class="opt">optional</span>';
        return `<li><code>${esc(name)}</code>: <span class="type">${esc(typeOf(doc, property))}</span>${flag}${note}${fields(doc, property, depth + 1)}</li>`;
      });
      return `<ul class="fields">${rows.join('')}</ul>`;
    })
    .join('<p class="or">or</p>');
}

function body(doc: OpenApiDocument, holder: Json): string {
  const content = (holder.content ?? {}) as Record<string, Json>;
  return Object.entries(content)
    .map(([type, media]) => `<p class="media">${esc(type)}: <span class="type">${esc(typeOf(doc, media.schema))}</span></p>${fields(doc, media.schema)}`)
    .join('');
}

function operation(doc: OpenApiDocument, method: string, path: string, op: Json): string {
  const scopes = ((op.security ?? []) as Json[]).flatMap((s) => Object.values(s).flat() as string[]);
  const params = ((op.parameters ?? []) as Json[]).map(
    (p) =>
      `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}${p.required ? '' : ' <span class="opt">optional</span>'}</td><td class="type">${esc(typeOf(doc, p.schema))}${p.explode === false ? ' (comma-separated)' : ''}</td><td>${prose(p.description)}</td></tr>`,
  );
  const responses = Object.entries(op.responses as Record<string, unknown>).map(([status, raw]) => {
    const response = resolve(doc, raw);
    const headers = Object.keys((response.headers ?? {}) as Json).map((h) => ` <span class="opt">header ${esc(h)}</span>`);
    return `<li><strong>${esc(status)}</strong> ${prose(response.description)}${headers.join('')}${Number(status) < 400 ? body(doc, response) : ''}</li>`;
  });
  const text = [method, path, op.operationId, op.summary, op.description, ...scopes].join(' ').toLowerCase();
  return `<section class="op" id="${esc(op.operationId)}" data-search="${esc(text)}">
<h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p><strong>${esc(op.summary)}</strong> <span class="opt">${esc(op.operationId)}</span></p>
<div>${prose(op.description)}</div>
${scopes.length ? `<p>Scope: <code>${esc(scopes.join(', '))}</code></p>` : '<p>No token: public.</p>'}
${params.length ? `<table><thead><tr><th>Parameter</th><th>In</th><th>Type</th><th>About</th></tr></thead><tbody>${params.join('')}</tbody></table>` : ''}
${op.requestBody ? `<h4>Request body</h4>${body(doc, op.requestBody as Json)}` : ''}
<h4>Responses</h4><ul class="responses">${responses.join('')}</ul>
</section>`;
}

function problemTable(): string {
  const rows = (Object.entries(PROBLEM_CODES) as [AppErrorCode, string][]).map(
    ([code, text]) => `<tr id="${problemAnchor(code)}"><td>${problemStatus(code)}</td><td><code>${code}</code></td><td>${prose(text)}</td></tr>`,
  );
  return `<table><thead><tr><th>Status</th><th>Code</th><th>When</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:0 16px 48px;color:#1b1f24;background:#fff}
code{font:13px ui-monospace,monospace;background:#f2f4f7;padding:1px 4px;border-radius:3px}
h1{margin:24px 0 4px}h2{margin-top:32px;border-bottom:1px solid #d0d7de}h4{margin:12px 0 4px}
.search{position:sticky;top:0;background:#fff;padding:12px 0}.search input{width:100%;font:inherit;padding:8px;border:1px solid #8c959f;border-radius:6px}
.op{border:1px solid #d0d7de;border-radius:6px;padding:4px 16px;margin:12px 0}.op[hidden]{display:none}
.method{display:inline-block;min-width:56px;text-align:center;color:#fff;border-radius:4px;font-size:13px;padding:2px 6px;background:#57606a}
.method.get{background:#0969da}.method.post{background:#1a7f37}.method.patch{background:#9a6700}.method.delete{background:#cf222e}
.type{color:#6639ba}.opt{color:#57606a;font-size:13px}.or{margin:2px 0;color:#57606a}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left}ul.fields{margin:4px 0}`;

/** Hides the operations that do not contain every word typed into the search box. */
const SCRIPT = `const q=document.getElementById('q');q.addEventListener('input',()=>{const words=q.value.toLowerCase().split(/\\s+/).filter(Boolean);let shown=0;for(const op of document.querySelectorAll('.op')){const hit=words.every((w)=>op.dataset.search.includes(w));op.hidden=!hit;if(hit)shown++;}document.getElementById('count').textContent=shown+' operations';});`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The page's policy: nothing but its own inline style and script (by hash); no other resource, no framing. */
export const DOCS_CSP = `default-src 'none'; style-src ${hash(STYLE)}; script-src ${hash(SCRIPT)}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export function renderDocsPage(doc: OpenApiDocument): string {
  const groups = new Map<string, string[]>();
  let count = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, Json>)) {
      const tag = ((op.tags ?? ['other']) as string[])[0]!;
      groups.set(tag, [...(groups.get(tag) ?? []), operation(doc, method, path, op)]);
      count++;
    }
  }
  const security = Object.values(doc.components.securitySchemes)[0]!;
  const problem = resolve(doc, doc.components.schemas.Problem);
  const sections = [...groups].map(([tag, ops]) => `<h2 id="tag-${esc(tag)}">${esc(tag)}</h2>${ops.join('\n')}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)}</title><style>${STYLE}</style></head>
<body><h1>${esc(doc.info.title)}</h1>
<p>${prose(doc.info.description)} The machine-readable document is <a href="openapi.json">openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p>
<h2 id="auth">Authentication</h2><div>${prose(security.description)}</div>
<h2 id="errors">Errors</h2><p>Every error of the REST API is <code>application/problem+json</code>; its <code>type</code> links to its code below.</p>${fields(doc, problem)}
${problemTable()}
<div class="search"><label for="q">Search the operations</label> <span id="count" class="opt">${count} operations</span><input id="q" type="search" placeholder="e.g. revoke, keys:write, audit" autocomplete="off"></div>
${sections.join('\n')}
<script>${SCRIPT}</script></body></html>`;
}
