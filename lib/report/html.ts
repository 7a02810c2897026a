// The self-contained HTML page around the charts: inline SVG figures, a settings table and a
// metrics table, and a small inline stylesheet. No scripts, no external files.

export type Rows = [string, string][];

export interface Page {
  title: string;
  subtitle?: string;
  /** SVG strings, laid out in a responsive grid in this order. */
  figures: { svg: string; caption?: string; wide?: boolean }[];
  tables: { title: string; rows?: Rows; header?: string[]; body?: string[][] }[];
  notes?: string[];
}

export function escapeHTML(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1a202c;
         margin: 0; background: #f7f7f9; }
  main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 40px; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  .sub { color: #555; margin: 0 0 20px; }
  .grid { display: flex; flex-wrap: wrap; gap: 16px; }
  figure { margin: 0; background: #fff; border: 1px solid #e2e2e8; border-radius: 6px; padding: 12px; }
  figure.wide { flex-basis: 100%; }
  figure svg { display: block; max-width: 100%; height: auto; }
  /* the decision-boundary raster: no anti-aliased seams between neighbouring cells */
  .mark-rect path { shape-rendering: crispEdges; }
  figcaption { color: #555; font-size: 12px; margin-top: 6px; max-width: 560px; }
  .tables { display: flex; flex-wrap: wrap; gap: 16px; margin-top: 16px; }
  section.table { background: #fff; border: 1px solid #e2e2e8; border-radius: 6px; padding: 12px 16px; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  table { border-collapse: collapse; }
  th, td { text-align: left; padding: 3px 14px 3px 0; border-bottom: 1px solid #eee; vertical-align: top; }
  th { font-weight: 600; color: #333; }
  td.num { font-variant-numeric: tabular-nums; }
  .notes { color: #555; font-size: 12px; margin-top: 16px; }
`;

function table(t: Page['tables'][number]): string {
  const head = t.header ? `<tr>${t.header.map((h) => `<th>${escapeHTML(h)}</th>`).join('')}</tr>` : '';
  const rows = t.rows
    ? t.rows.map(([k, v]) => `<tr><th>${escapeHTML(k)}</th><td class="num">${escapeHTML(v)}</td></tr>`)
    : (t.body ?? []).map((r) => `<tr>${r.map((c) => `<td class="num">${escapeHTML(c)}</td>`).join('')}</tr>`);
  return `<section class="table"><h2>${escapeHTML(t.title)}</h2><table>${head}${rows.join('')}</table></section>`;
}

/** A complete HTML document; SVGs are embedded as they are (vega's own markup). */
export function renderPage(page: Page): string {
  const figures = page.figures
    .map(
      (f) =>
        `<figure${f.wide ? ' class="wide"' : ''}>${f.svg}${f.caption ? `<figcaption>${escapeHTML(f.caption)}</figcaption>` : ''}</figure>`,
    )
    .join('\n');
  const notes = page.notes?.length
    ? `<div class="notes">${page.notes.map((n) => `<p>${escapeHTML(n)}</p>`).join('')}</div>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHTML(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHTML(page.title)}</h1>
${page.subtitle ? `<p class="sub">${escapeHTML(page.subtitle)}</p>` : ''}
<div class="grid">
${figures}
</div>
<div class="tables">
${page.tables.map(table).join('\n')}
</div>
${notes}
</main>
</body>
</html>
`;
}
