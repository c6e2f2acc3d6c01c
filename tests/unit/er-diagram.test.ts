import { describe, expect, it } from 'vitest';
import type { ErDiagram } from '../../graders/core/report.ts';
import { erDiagramSchema } from '../../graders/core/report.ts';
import { renderErDiagram } from '../../src/workbench/er-diagram.ts';

const column = (name: string, type: string, extra: Partial<ErDiagram['tables'][number]['columns'][number]> = {}) => ({
  name,
  type,
  nullable: false,
  primaryKey: false,
  unique: false,
  ...extra,
});

/** Shelf's schema, as the sql-schema grader reads it from the catalog. */
const shelf: ErDiagram = erDiagramSchema.parse({
  tables: [
    {
      name: 'members',
      columns: [
        column('id', 'bigint', { primaryKey: true }),
        column('email', 'text', { unique: true }),
        column('name', 'text'),
        column('joined_at', 'timestamp with time zone'),
      ],
    },
    {
      name: 'books',
      columns: [
        column('id', 'bigint', { primaryKey: true }),
        column('isbn', 'text', { unique: true }),
        column('title', 'text'),
        column('published_year', 'integer', { nullable: true }),
      ],
    },
    { name: 'copies', columns: [column('id', 'bigint', { primaryKey: true }), column('book_id', 'bigint'), column('barcode', 'text', { unique: true })] },
    {
      name: 'loans',
      columns: [
        column('id', 'bigint', { primaryKey: true }),
        column('copy_id', 'bigint'),
        column('member_id', 'bigint'),
        column('returned_at', 'timestamp with time zone', { nullable: true }),
      ],
    },
  ],
  relations: [
    { fromTable: 'copies', fromColumns: ['book_id'], toTable: 'books', toColumns: ['id'], onDelete: 'no action' },
    { fromTable: 'loans', fromColumns: ['copy_id'], toTable: 'copies', toColumns: ['id'], onDelete: 'restrict' },
    { fromTable: 'loans', fromColumns: ['member_id'], toTable: 'members', toColumns: ['id'], onDelete: 'cascade' },
  ],
});

/** Checks that every tag is closed in order: enough to prove the markup is well formed. */
function assertWellFormed(markup: string): void {
  const stack: string[] = [];
  for (const match of markup.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (selfClosing) continue;
    if (closing) expect(stack.pop(), `</${name}> closes the wrong element`).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  // Nothing that looks like a tag was left unmatched by the pattern above (for example a raw `<` in a name).
  const tags = markup.match(/</g)?.length ?? 0;
  const matched = [...markup.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)].length;
  expect(matched).toBe(tags);
}

/** The box of each table, read back from the SVG. */
function boxes(svg: string): Map<string, { x: number; y: number; width: number; height: number }> {
  const found = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const match of svg.matchAll(/<g class="er-table" data-table="([^"]+)">\n<rect class="er-box" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)) {
    found.set(match[1]!, { x: Number(match[2]), y: Number(match[3]), width: Number(match[4]), height: Number(match[5]) });
  }
  return found;
}

describe('renderErDiagram', () => {
  it('is an accessible image: a title that counts, and a description that says everything in words', () => {
    const svg = renderErDiagram(shelf);
    assertWellFormed(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toMatch(/role="img" aria-labelledby="(er-\w+)-title \1-desc"/);
    expect(svg).toContain('>Entity-relationship diagram: 4 tables, 3 foreign keys</title>');
    const desc = /<desc id="[^"]+">([^<]*)<\/desc>/.exec(svg)?.[1] ?? '';
    expect(desc).toContain('Table members: id (bigint, primary key, required); email (text, unique, required)');
    expect(desc).toContain('published_year (integer, may be empty)');
    expect(desc).toContain('loans.member_id references members.id, on delete cascade.');
  });

  it('draws a box per table listing every column with its type and markers', () => {
    const svg = renderErDiagram(shelf);
    expect([...boxes(svg).keys()].sort()).toEqual(['books', 'copies', 'loans', 'members']);
    for (const table of shelf.tables) {
      for (const { name, type } of table.columns) {
        expect(svg).toContain(`>${name}</text>`);
        expect(svg).toContain(`>${type}</text>`);
      }
    }
    const markers = [...svg.matchAll(/<text class="er-marker"[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);
    expect(markers.filter((marker) => marker === 'PK')).toHaveLength(4);
    expect(markers.filter((marker) => marker === 'FK')).toHaveLength(3); // book_id, copy_id, member_id
    expect(markers.filter((marker) => marker === 'UQ')).toHaveLength(3); // email, isbn, barcode
    expect(svg.match(/class="er-null"[^>]*>null</g)).toHaveLength(2); // published_year, returned_at
    expect(svg).toContain('null may be empty'); // the legend explains the markers
  });

  it('draws an arrow per foreign key, labelled with its delete rule', () => {
    const svg = renderErDiagram(shelf);
    const links = [...svg.matchAll(/<g class="er-link" data-from="(\w+)" data-to="(\w+)">[\s\S]*?<path class="er-relation" d="([^"]+)" marker-end="url\(#er-\w+-arrow\)"\/>\n<text class="er-label"[^>]*>([^<]+)<\/text>/g)];
    expect(links.map((link) => `${link[1]}->${link[2]}: ${link[4]}`)).toEqual([
      'copies->books: ON DELETE NO ACTION',
      'loans->copies: ON DELETE RESTRICT',
      'loans->members: ON DELETE CASCADE',
    ]);
    // The arrow ends on the referenced table's edge, at the row of the referenced column.
    const box = boxes(svg).get('books')!;
    const end = /(-?[\d.]+) (-?[\d.]+)$/.exec(links[0]![3]!)!;
    expect(Number(end[1])).toBeCloseTo(box.x + box.width, 0);
    expect(Number(end[2])).toBeGreaterThan(box.y);
    expect(Number(end[2])).toBeLessThan(box.y + box.height);
  });

  it('lays referenced tables to the left of the tables that point to them, with no overlaps', () => {
    const placed = boxes(renderErDiagram(shelf));
    const right = (name: string) => placed.get(name)!.x + placed.get(name)!.width;
    expect(right('books')).toBeLessThan(placed.get('copies')!.x);
    expect(right('copies')).toBeLessThan(placed.get('loans')!.x);
    expect(right('members')).toBeLessThan(placed.get('loans')!.x);
    const list = [...placed.values()];
    for (const [index, a] of list.entries()) {
      for (const b of list.slice(index + 1)) {
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart).toBe(true);
      }
    }
  });

  it('is deterministic: the same schema in any order gives the same bytes', () => {
    const shuffled: ErDiagram = { tables: [...shelf.tables].reverse(), relations: [...shelf.relations].reverse() };
    expect(renderErDiagram(shuffled)).toBe(renderErDiagram(shelf));
    const other: ErDiagram = { tables: shelf.tables.slice(0, 2), relations: [] };
    const idOf = (svg: string) => /aria-labelledby="(er-\w+)-title/.exec(svg)?.[1];
    expect(idOf(renderErDiagram(other))).not.toBe(idOf(renderErDiagram(shelf)));
  });

  it('takes its colours from the page: currentColor and --er-* custom properties, no fixed colours', () => {
    const svg = renderErDiagram(shelf);
    expect(svg).toContain('currentColor');
    expect(svg).toContain('var(--er-background,Canvas)');
    expect(svg).toContain('var(--er-relation,currentColor)');
    expect(svg).not.toMatch(/#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(|\b(?:black|white)\b/);
    expect(svg).not.toMatch(/\b(?:fill|stroke)="(?!none)/); // colours only through the stylesheet
  });

  it('escapes names a learner chose, so they cannot break or inject markup', () => {
    const hostile: ErDiagram = {
      tables: [
        { name: 'a<b>&"c"', columns: [column('x</text><script>', 'text', { primaryKey: true })] },
        { name: "o'neil", columns: [column('ref', 'integer')] },
      ],
      relations: [{ fromTable: "o'neil", fromColumns: ['ref'], toTable: 'a<b>&"c"', toColumns: ['x</text><script>'], onDelete: 'set null' }],
    };
    const svg = renderErDiagram(hostile);
    assertWellFormed(svg);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;');
    expect(svg).toContain('o&#39;neil');
    expect(svg).toContain('ON DELETE SET NULL');
  });

  it('copes with no tables, a table without columns, a self-reference and a cycle', () => {
    const empty = renderErDiagram({ tables: [], relations: [] });
    assertWellFormed(empty);
    expect(empty).toContain('Entity-relationship diagram: 0 tables, 0 foreign keys');
    expect(empty).toContain('No tables yet');

    const tangled: ErDiagram = {
      tables: [
        { name: 'staff', columns: [column('id', 'integer', { primaryKey: true }), column('manager_id', 'integer', { nullable: true }), column('team_id', 'integer')] },
        { name: 'teams', columns: [column('id', 'integer', { primaryKey: true }), column('lead_id', 'integer', { nullable: true })] },
        { name: 'placeholder', columns: [] },
      ],
      relations: [
        { fromTable: 'staff', fromColumns: ['manager_id'], toTable: 'staff', toColumns: ['id'], onDelete: 'set null' },
        { fromTable: 'staff', fromColumns: ['team_id'], toTable: 'teams', toColumns: ['id'], onDelete: 'restrict' },
        { fromTable: 'teams', fromColumns: ['lead_id'], toTable: 'staff', toColumns: ['id'], onDelete: 'set null' },
      ],
    };
    const svg = renderErDiagram(tangled);
    assertWellFormed(svg);
    expect(svg).toContain('(no columns)');
    expect(svg.match(/class="er-relation"/g)).toHaveLength(3);
    const width = Number(/ width="([\d.]+)"/.exec(svg)![1]);
    for (const match of svg.matchAll(/class="er-relation" d="([^"]+)"/g)) {
      const xs = [...match[1]!.matchAll(/(-?[\d.]+) (-?[\d.]+)/g)].map((point) => Number(point[1]));
      expect(Math.max(...xs)).toBeLessThanOrEqual(width); // loops stay inside the picture
    }
  });
});
