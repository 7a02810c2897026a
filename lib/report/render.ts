// Renders a vega-lite spec to an SVG string in Node: vega-lite compiles it to vega, and a headless
// vega View (renderer 'none', no canvas needed) draws it. vega and vega-lite are optional packages
// (lib/optional.ts) that load on first use, so commands that write no report never need them.
import type { TopLevelSpec } from 'vega-lite';
import { loadReportPackages } from '../optional.js';

/** Shared look of every chart: no ARIA labels (thousands of cells would bloat the SVG), quiet axes. */
export const CHART_CONFIG = {
  aria: false,
  font: 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif',
  view: { stroke: '#bbb' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500 },
  title: { fontSize: 14, fontWeight: 600, anchor: 'start' as const },
};

export async function renderSVG(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await loadReportPackages();
  const withConfig = { ...spec, config: { ...CHART_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  // Quiet loggers: a library's warnings must not interleave with the CLI's one-line output.
  const compiled = vegaLite.compile(withConfig, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return compactSVG(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Rounds coordinates in path data and transforms to 2 decimals (vega writes ~15 digits): a
 * hundredth of a pixel is invisible, and the decision-boundary raster shrinks by about half.
 */
export function compactSVG(svg: string): string {
  return svg.replace(/ (d|transform)="([^"]*)"/g, (_, name: string, value: string) => {
    const rounded = value.replace(/-?\d+\.\d{3,}/g, (n) => String(Number(Number(n).toFixed(2))));
    return ` ${name}="${rounded}"`;
  });
}
