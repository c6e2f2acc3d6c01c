import type { ErDiagram } from '../../graders/core/report.ts';

/**
 * Draws a schema's entity-relationship diagram (as the sql-schema grader reads it from the
 * catalog) as an accessible SVG string: a box per table listing its columns with PK / FK / UQ
 * markers and nullability, and an arrow per foreign key, from the referencing column to the
 * referenced one, labelled with its delete rule.
 *
 * - Pure and deterministic: the same diagram gives the same bytes, whatever the order of its
 *   tables and relations, so it can be cached, diffed and tested.
 * - Layout: referenced tables on the left, the tables that point to them in columns to their
 *   right (longest chain of references), each column ordered to keep arrows short.
 * - Colours come from `currentColor` and CSS custom properties (`--er-*`, with fallbacks), so the
 *   diagram follows the page's theme, dark mode included. Text is monospace so widths are known.
 * - Accessible: `role="img"` with a `<title>` and a `<desc>` that says in words everything the
 *   picture shows.
 */

type Table = ErDiagram['tables'][number];
type Relation = ErDiagram['relations'][number];

const CHAR_W = 7.2; // 12px monospace
const ROW_H = 20;
const HEADER_H = 28;
const PAD_X = 10;
const GAP = 14; // between the parts of a row
const LAYER_GAP = 170; // room for arrows and their labels
const STACK_GAP = 36;
const MARGIN = 16;
const LEGEND_H = 28;
const MAX_TYPE = 28;

interface Box {
  table: Table;
  layer: number;
  x: number;
  y: number;
  width: number;
  height: number;
  markers: string[];
  types: string[];
  markerChars: number;
  nameChars: number;
  typeChars: number;
}

/** Renders the diagram; the result is a standalone `<svg>` element. */
export function renderErDiagram(diagram: ErDiagram): string {
  const id = `er-${hash(canonical(diagram))}`;
  const tables = [...diagram.tables].sort((a, b) => compare(a.name, b.name));
  const relations = [...diagram.relations].sort((a, b) =>
    compare(`${a.fromTable}\0${a.fromColumns.join(',')}\0${a.toTable}`, `${b.fromTable}\0${b.fromColumns.join(',')}\0${b.toTable}`),
  );
  const title = `Entity-relationship diagram: ${count(tables.length, 'table')}, ${count(relations.length, 'foreign key')}`;
  const description = describe(tables, relations);

  if (tables.length === 0) {
    const width = 320;
    const height = 64;
    return svg(id, width, height, title, description, `<text class="er-empty" x="${width / 2}" y="${height / 2}" text-anchor="middle" dominant-baseline="middle">No tables yet</text>`);
  }

  const boxes = layout(tables, relations);
  const byName = new Map(boxes.map((box) => [box.table.name, box]));
  const routes = routeRelations(relations, boxes, byName);
  const width = Math.max(...boxes.map((box) => box.x + box.width), ...routes.map((route) => route.right)) + MARGIN;
  const contentHeight = Math.max(...boxes.map((box) => box.y + box.height), ...routes.map((route) => route.bottom));

  const parts: string[] = [];
  for (const route of routes) parts.push(drawRelation(route, id));
  for (const box of boxes) parts.push(drawTable(box));
  parts.push(
    `<text class="er-legend" x="${MARGIN}" y="${contentHeight + MARGIN + 16}">PK primary key · FK foreign key · UQ unique · null may be empty</text>`,
  );
  const height = contentHeight + MARGIN + LEGEND_H;
  return svg(id, width, height, title, description, parts.join('\n'));
}

function svg(id: string, width: number, height: number, title: string, description: string, body: string): string {
  const w = round(width);
  const h = round(height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="er-diagram" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-labelledby="${id}-title ${id}-desc">`,
    `<title id="${id}-title">${escape(title)}</title>`,
    `<desc id="${id}-desc">${escape(description)}</desc>`,
    `<style>${style}</style>`,
    `<defs><marker id="${id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path class="er-arrowhead" d="M0 0L10 5L0 10z"/></marker></defs>`,
    body,
    '</svg>',
  ].join('\n');
}

/**
 * Each rule states a plain value first and the custom property second, so a renderer without CSS
 * variables (an image converter, an old viewer) still draws a readable diagram.
 */
const style = [
  '.er-diagram{color:currentColor;color:var(--er-color,currentColor);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-family:var(--er-font,ui-monospace,SFMono-Regular,Menlo,Consolas,monospace);font-size:12px}',
  '.er-diagram text{fill:currentColor}',
  '.er-diagram .er-box{fill:none;fill:var(--er-table-fill,none);stroke:currentColor;stroke:var(--er-border,currentColor);stroke-width:1}',
  '.er-diagram .er-header{fill:currentColor;fill:var(--er-header-fill,currentColor);fill-opacity:0.1;fill-opacity:var(--er-header-opacity,0.1)}',
  '.er-diagram .er-table-name{font-weight:bold}',
  '.er-diagram .er-marker{fill:currentColor;fill:var(--er-marker,currentColor);font-weight:bold}',
  '.er-diagram .er-type,.er-diagram .er-null,.er-diagram .er-legend,.er-diagram .er-empty{fill:currentColor;fill:var(--er-muted,currentColor);opacity:0.75;opacity:var(--er-muted-opacity,0.75)}',
  '.er-diagram .er-null{font-style:italic}',
  '.er-diagram .er-relation{fill:none;stroke:currentColor;stroke:var(--er-relation,currentColor);stroke-width:1.25}',
  '.er-diagram .er-arrowhead{fill:currentColor;fill:var(--er-relation,currentColor)}',
  '.er-diagram .er-label{font-size:11px;paint-order:stroke;stroke:Canvas;stroke:var(--er-background,Canvas);stroke-width:4px;stroke-linejoin:round}',
].join('');

function layout(tables: Table[], relations: Relation[]): Box[] {
  const names = new Set(tables.map((table) => table.name));
  const parents = new Map<string, string[]>(tables.map((table) => [table.name, []]));
  for (const relation of relations) {
    if (relation.fromTable !== relation.toTable && names.has(relation.fromTable) && names.has(relation.toTable)) {
      const list = parents.get(relation.fromTable)!;
      if (!list.includes(relation.toTable)) list.push(relation.toTable);
    }
  }
  // Layer = length of the longest chain of references below a table; a cycle is cut where it closes.
  const layers = new Map<string, number>();
  const visiting = new Set<string>();
  const layerOf = (name: string): number => {
    const known = layers.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return -1;
    visiting.add(name);
    let layer = 0;
    for (const parent of [...parents.get(name)!].sort(compare)) layer = Math.max(layer, layerOf(parent) + 1);
    visiting.delete(name);
    layers.set(name, layer);
    return layer;
  };
  for (const table of tables) layerOf(table.name);

  const boxes: Box[] = tables.map((table) => measure(table, layers.get(table.name) ?? 0, relations));
  const columns: Box[][] = [];
  for (const box of boxes) (columns[box.layer] ??= []).push(box);

  let x = MARGIN;
  const order = new Map<string, number>();
  for (const column of columns) {
    if (!column) continue;
    // Keep a table near the tables it references (their mean position), then by name.
    const weight = (box: Box) => {
      const positions = (parents.get(box.table.name) ?? []).map((parent) => order.get(parent)).filter((value): value is number => value !== undefined);
      return positions.length === 0 ? Number.POSITIVE_INFINITY : positions.reduce((sum, value) => sum + value, 0) / positions.length;
    };
    column.sort((a, b) => weight(a) - weight(b) || compare(a.table.name, b.table.name));
    let y = MARGIN;
    const columnWidth = Math.max(...column.map((box) => box.width));
    column.forEach((box, index) => {
      box.x = x;
      box.y = y;
      y += box.height + STACK_GAP;
      order.set(box.table.name, index);
    });
    x += columnWidth + LAYER_GAP;
  }
  return boxes;
}

function measure(table: Table, layer: number, relations: Relation[]): Box {
  const foreign = new Set(relations.filter((relation) => relation.fromTable === table.name).flatMap((relation) => relation.fromColumns));
  const markers = table.columns.map((column) =>
    [column.primaryKey ? 'PK' : '', foreign.has(column.name) ? 'FK' : '', column.unique && !column.primaryKey ? 'UQ' : ''].filter(Boolean).join(' '),
  );
  const types = table.columns.map((column) => (column.type.length > MAX_TYPE ? `${column.type.slice(0, MAX_TYPE - 1)}…` : column.type));
  const markerChars = Math.max(0, ...markers.map((marker) => marker.length));
  const nameChars = Math.max(0, ...table.columns.map((column) => column.name.length));
  const typeChars = Math.max(0, ...types.map((type) => type.length));
  const anyNullable = table.columns.some((column) => column.nullable);
  const rowWidth =
    PAD_X * 2 + (markerChars > 0 ? markerChars * CHAR_W + GAP : 0) + nameChars * CHAR_W + GAP + typeChars * CHAR_W + (anyNullable ? GAP + 4 * CHAR_W : 0);
  const width = Math.ceil(Math.max(rowWidth, table.name.length * CHAR_W + PAD_X * 2, 120));
  const height = HEADER_H + Math.max(1, table.columns.length) * ROW_H + 6;
  return { table, layer, x: 0, y: 0, width, height, markers, types, markerChars, nameChars, typeChars };
}

function drawTable(box: Box): string {
  const { table, x, y, width, height } = box;
  const nameX = x + PAD_X + (box.markerChars > 0 ? box.markerChars * CHAR_W + GAP : 0);
  const typeX = nameX + box.nameChars * CHAR_W + GAP;
  const nullX = typeX + box.typeChars * CHAR_W + GAP;
  const rows = table.columns.map((column, index) => {
    const baseline = y + HEADER_H + index * ROW_H + 14;
    const marker = box.markers[index] ? `<text class="er-marker" x="${round(x + PAD_X)}" y="${round(baseline)}">${box.markers[index]}</text>` : '';
    const nullable = column.nullable ? `<text class="er-null" x="${round(nullX)}" y="${round(baseline)}">null</text>` : '';
    return (
      `${marker}<text class="er-column" x="${round(nameX)}" y="${round(baseline)}">${escape(column.name)}</text>` +
      `<text class="er-type" x="${round(typeX)}" y="${round(baseline)}">${escape(box.types[index]!)}</text>${nullable}`
    );
  });
  if (table.columns.length === 0) rows.push(`<text class="er-type" x="${round(x + PAD_X)}" y="${round(y + HEADER_H + 14)}">(no columns)</text>`);
  return [
    `<g class="er-table" data-table="${escape(table.name)}">`,
    `<rect class="er-box" x="${round(x)}" y="${round(y)}" width="${round(width)}" height="${round(height)}" rx="4"/>`,
    `<path class="er-header" d="M${round(x)} ${round(y + HEADER_H)}V${round(y + 4)}a4 4 0 0 1 4 -4H${round(x + width - 4)}a4 4 0 0 1 4 4V${round(y + HEADER_H)}z"/>`,
    `<text class="er-table-name" x="${round(x + PAD_X)}" y="${round(y + 18)}">${escape(table.name)}</text>`,
    ...rows,
    '</g>',
  ].join('\n');
}

function rowY(box: Box, column: string | undefined): number {
  const index = column === undefined ? -1 : box.table.columns.findIndex((candidate) => candidate.name === column);
  return index < 0 ? box.y + HEADER_H / 2 : box.y + HEADER_H + index * ROW_H + ROW_H / 2;
}

interface Route {
  relation: Relation;
  path: string;
  label: { x: number; y: number; anchor: 'start' | 'middle' | 'end' };
  /** How far right and down the route reaches, for the picture's size. */
  right: number;
  bottom: number;
}

/**
 * Where each arrow goes. Between neighbouring columns: a curve from the referencing column's row
 * to the referenced one. Across several columns: square corners through the gaps, under the
 * tables in between, so no arrow crosses a table. Within a column (or back up a cycle): a loop on
 * the right-hand side.
 */
function routeRelations(relations: Relation[], boxes: Box[], byName: Map<string, Box>): Route[] {
  const layerBottom = new Map<number, number>();
  const layerRight = new Map<number, number>();
  for (const box of boxes) {
    layerBottom.set(box.layer, Math.max(layerBottom.get(box.layer) ?? 0, box.y + box.height));
    layerRight.set(box.layer, Math.max(layerRight.get(box.layer) ?? 0, box.x + box.width));
  }
  let longIndex = 0;
  let loopIndex = 0;
  const routes: Route[] = [];
  for (const relation of relations) {
    const from = byName.get(relation.fromTable);
    const to = byName.get(relation.toTable);
    if (!from || !to) continue;
    const sy = rowY(from, relation.fromColumns[0]);
    const ty = rowY(to, relation.toColumns[0]);
    if (from.layer === to.layer + 1) {
      const sx = from.x;
      const tx = to.x + to.width;
      const bend = Math.max(40, (sx - tx) / 2);
      routes.push({
        relation,
        path: `M${round(sx)} ${round(sy)}C${round(sx - bend)} ${round(sy)} ${round(tx + bend)} ${round(ty)} ${round(tx)} ${round(ty)}`,
        // On the side the curve leaves from, so the text does not sit on the line.
        label: { x: sx - 8, y: ty < sy ? sy + 14 : sy - 6, anchor: 'end' },
        right: sx,
        bottom: Math.max(sy, ty),
      });
    } else if (from.layer > to.layer) {
      const k = longIndex++;
      let below = 0;
      for (let layer = to.layer + 1; layer < from.layer; layer++) below = Math.max(below, layerBottom.get(layer) ?? 0);
      const channel = below + 22 + k * 20;
      const sx = from.x;
      const tx = to.x + to.width;
      const outX = sx - LAYER_GAP / 2 + 10 + k * 8;
      // In the gap right of the referenced table's whole column, which may be wider than the table.
      const inX = (layerRight.get(to.layer) ?? tx) + LAYER_GAP / 2 - 10 - k * 8;
      const points: [number, number][] = [[sx, sy], [outX, sy], [outX, channel], [inX, channel], [inX, ty], [tx, ty]];
      routes.push({
        relation,
        path: rounded(points),
        label: { x: (outX + inX) / 2, y: channel - 5, anchor: 'middle' },
        right: sx,
        bottom: channel + 4,
      });
    } else if (from === to) {
      const sx = from.x + from.width;
      const reach = sx + 36;
      routes.push({
        relation,
        path: `M${round(sx)} ${round(sy)}C${round(reach)} ${round(sy)} ${round(reach)} ${round(ty)} ${round(sx)} ${round(ty)}`,
        label: { x: reach - 4, y: (sy + ty) / 2 + 4, anchor: 'start' },
        right: reach + 150,
        bottom: Math.max(sy, ty),
      });
    } else if (from.layer === to.layer) {
      const k = loopIndex++;
      const sx = from.x + from.width;
      const tx = to.x + to.width;
      const reach = (layerRight.get(from.layer) ?? Math.max(sx, tx)) + 40 + k * 12;
      routes.push({
        relation,
        path: `M${round(sx)} ${round(sy)}C${round(reach)} ${round(sy)} ${round(reach)} ${round(ty)} ${round(tx)} ${round(ty)}`,
        label: { x: reach - 4, y: (sy + ty) / 2 + 4, anchor: 'start' },
        right: reach + 150,
        bottom: Math.max(sy, ty),
      });
    } else {
      // A reference back up a cycle (to a column further right): under every table in between,
      // entering the referenced table from its right-hand side.
      const k = longIndex++;
      let below = 0;
      for (let layer = from.layer; layer <= to.layer; layer++) below = Math.max(below, layerBottom.get(layer) ?? 0);
      const channel = below + 22 + k * 20;
      const sx = from.x + from.width;
      const tx = to.x + to.width;
      const outX = (layerRight.get(from.layer) ?? sx) + 16 + k * 8;
      const reach = (layerRight.get(to.layer) ?? tx) + 52 + k * 8; // outside any self-reference loop
      routes.push({
        relation,
        path: rounded([[sx, sy], [outX, sy], [outX, channel], [reach, channel], [reach, ty], [tx, ty]]),
        label: { x: (outX + reach) / 2, y: channel - 5, anchor: 'middle' },
        right: reach + 8,
        bottom: channel + 4,
      });
    }
  }
  return routes;
}

/** A path through `points` with rounded corners. */
function rounded(points: [number, number][]): string {
  const radius = 6;
  const [first] = points;
  if (!first) return '';
  let d = `M${round(first[0])} ${round(first[1])}`;
  for (let index = 1; index < points.length - 1; index++) {
    const [px, py] = points[index - 1]!;
    const [cx, cy] = points[index]!;
    const [nx, ny] = points[index + 1]!;
    const inLength = Math.hypot(cx - px, cy - py);
    const outLength = Math.hypot(nx - cx, ny - cy);
    const r = Math.min(radius, inLength / 2, outLength / 2);
    if (r <= 0) {
      d += `L${round(cx)} ${round(cy)}`;
      continue;
    }
    const ax = cx - ((cx - px) / inLength) * r;
    const ay = cy - ((cy - py) / inLength) * r;
    const bx = cx + ((nx - cx) / outLength) * r;
    const by = cy + ((ny - cy) / outLength) * r;
    d += `L${round(ax)} ${round(ay)}Q${round(cx)} ${round(cy)} ${round(bx)} ${round(by)}`;
  }
  const last = points[points.length - 1]!;
  return `${d}L${round(last[0])} ${round(last[1])}`;
}

function drawRelation(route: Route, id: string): string {
  const { relation, path, label } = route;
  const text = `ON DELETE ${relation.onDelete.toUpperCase()}`;
  const description = `${relation.fromTable}.${relation.fromColumns.join(', ')} references ${relation.toTable}.${relation.toColumns.join(', ')}, ${text.toLowerCase()}`;
  return [
    `<g class="er-link" data-from="${escape(relation.fromTable)}" data-to="${escape(relation.toTable)}">`,
    `<title>${escape(description)}</title>`,
    `<path class="er-relation" d="${path}" marker-end="url(#${id}-arrow)"/>`,
    `<text class="er-label" x="${round(label.x)}" y="${round(label.y)}" text-anchor="${label.anchor}">${escape(text)}</text>`,
    '</g>',
  ].join('\n');
}

function describe(tables: Table[], relations: Relation[]): string {
  const tableText = tables.map((table) => {
    const columns = table.columns.map((column) => {
      const facts = [column.type, column.primaryKey ? 'primary key' : '', column.unique && !column.primaryKey ? 'unique' : '', column.nullable ? 'may be empty' : 'required'];
      return `${column.name} (${facts.filter(Boolean).join(', ')})`;
    });
    return `Table ${table.name}: ${columns.length > 0 ? columns.join('; ') : 'no columns'}.`;
  });
  const relationText = relations.map(
    (relation) =>
      `${relation.fromTable}.${relation.fromColumns.join(', ')} references ${relation.toTable}.${relation.toColumns.join(', ')}, on delete ${relation.onDelete}.`,
  );
  return [...tableText, ...relationText].join(' ');
}

function canonical(diagram: ErDiagram): string {
  const tables = [...diagram.tables].sort((a, b) => compare(a.name, b.name));
  const relations = diagram.relations.map((relation) => JSON.stringify(relation)).sort(compare);
  return JSON.stringify({ tables, relations });
}

/** FNV-1a, 32 bits, as base 36: a short stable id so two diagrams on one page do not share ids. */
function hash(text: string): string {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value.toString(36);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
