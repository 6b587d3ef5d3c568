/**
 * Architecture rules of issue 12, checked on the sources themselves (models/, functions/,
 * scripts/ and render/ where it exists; tests live in test/ and are not checked):
 * - no source file over 600 lines, and no function (declaration, method, arrow, accessor…)
 *   over 150 lines, outside generated code (a file whose leading comment carries `@generated`);
 * - nothing under scripts/ imports anything under functions/ (static imports and re-exports,
 *   `import type`, dynamic `import('…')`, `import('…')` types and `require('…')`), relative
 *   specifiers resolved to paths.
 * Lines are counted as the size check counts them: a file's lines are its
 * newline-separated pieces (a final newline starts one more), a function's the lines from its
 * first token to its last (signature and body).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_FOLDERS = ['models', 'functions', 'scripts', 'render'];
const MAX_FILE_LINES = 600;
const MAX_FUNCTION_LINES = 150;

/** Files under `folder` (relative to ROOT) whose names match, as ROOT-relative paths with '/'; none when the folder does not exist. */
function walk(folder: string, match: RegExp): string[] {
  const start = join(ROOT, folder);
  try {
    if (!statSync(start).isDirectory()) return [];
  } catch {
    return [];
  }
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (match.test(name)) found.push(relative(ROOT, path).split(sep).join('/'));
    }
  };
  visit(start);
  return found;
}

function parse(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
}

/** Generated code: the file's leading comment carries `@generated`. */
function isGenerated(source: ts.SourceFile): boolean {
  const ranges = ts.getLeadingCommentRanges(source.text, 0) ?? [];
  return ranges.some((r) => source.text.slice(r.pos, r.end).includes('@generated'));
}

/** A readable name of a function-like node: its own, or the variable or property it is assigned to, else its kind. */
function functionName(node: ts.SignatureDeclaration): string {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) return parent.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  return `(${ts.SyntaxKind[node.kind]})`;
}

/** Offenders of the size rules in one file: "file:line what: n lines (limit m)". */
function sizeOffenders(file: string, text: string): { files: string[]; functions: string[] } {
  const source = parse(file, text);
  if (isGenerated(source)) return { files: [], functions: [] };
  const lines = text.split('\n').length;
  const files = lines > MAX_FILE_LINES ? [`${file}:1 ${lines} lines (limit ${MAX_FILE_LINES})`] : [];
  const functions: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const span = last - first + 1;
      if (span > MAX_FUNCTION_LINES) functions.push(`${file}:${first + 1} ${functionName(node)}: ${span} lines (limit ${MAX_FUNCTION_LINES})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { files, functions };
}

/** The module specifiers a file imports, with their lines: a template with substitutions gives its fixed head. */
function importedSpecifiers(source: ts.SourceFile): { specifier: string; line: number }[] {
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node | undefined) => {
    if (!node) return;
    let specifier: string | null = null;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) specifier = node.text;
    else if (ts.isTemplateExpression(node)) specifier = node.head.text;
    if (specifier !== null) found.push({ specifier, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) add(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Imports of `file` (ROOT-relative) that resolve to a path under `folder` (ROOT-relative): "file:line imports 'specifier' (resolved)". */
function importsInto(file: string, text: string, folder: string): string[] {
  const target = join(ROOT, folder);
  const offenders: string[] = [];
  for (const { specifier, line } of importedSpecifiers(parse(file, text))) {
    if (!specifier.startsWith('.') && !isAbsolute(specifier)) continue; // a package
    const resolved = resolve(dirname(join(ROOT, file)), specifier);
    const inside = relative(target, resolved);
    if (inside === '' || (inside.split(sep)[0] !== '..' && !isAbsolute(inside))) {
      offenders.push(`${file}:${line} imports '${specifier}' (${relative(ROOT, resolved).split(sep).join('/')})`);
    }
  }
  return offenders;
}

/** Packages the Workers bundle must never carry: Node's own modules and the offline tools. */
const OFFLINE_ONLY = /^(node:|@tensorflow\/|commander$|cli-progress$|tsx$|@hono\/node-server$)/;

/**
 * Everything the Worker's entry point reaches by static imports: the ROOT-relative source files
 * and the packages (dynamic imports are not followed: wrangler bundles them too, so none may exist).
 */
function workerGraph(entry: string): { files: string[]; packages: string[]; dynamic: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const dynamic: string[] = [];
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = parse(file, readFileSync(join(ROOT, file), 'utf8'));
    source.forEachChild(function walkNode(node): void {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) dynamic.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`);
      node.forEachChild(walkNode);
    });
    for (const statement of source.statements) {
      if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      if ((ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly) || (ts.isExportDeclaration(statement) && statement.isTypeOnly)) continue;
      const specifier = statement.moduleSpecifier.text;
      if (!specifier.startsWith('.')) {
        packages.add(specifier);
        continue;
      }
      visit(relative(ROOT, resolve(dirname(join(ROOT, file)), specifier.replace(/\.js$/, '.ts'))).split(sep).join('/'));
    }
  };
  visit(entry);
  return { files: [...files].sort(), packages: [...packages].sort(), dynamic };
}

const tsFiles = SOURCE_FOLDERS.flatMap((folder) => walk(folder, /\.ts$/));
const sizes = tsFiles.map((file) => sizeOffenders(file, readFileSync(join(ROOT, file), 'utf8')));

describe('architecture (issue 12)', () => {
  it('finds the sources it checks', () => {
    for (const folder of ['models', 'functions', 'scripts']) expect(tsFiles.some((f) => f.startsWith(`${folder}/`)), folder).toBe(true);
  });

  it(`no source file is over ${MAX_FILE_LINES} lines`, () => {
    expect(sizes.flatMap((s) => s.files)).toEqual([]);
  });

  it(`no function is over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(sizes.flatMap((s) => s.functions)).toEqual([]);
  });

  it('nothing under scripts/ imports from functions/', () => {
    const offenders = walk('scripts', /\.[cm]?[jt]sx?$/).flatMap((file) => importsInto(file, readFileSync(join(ROOT, file), 'utf8'), 'functions'));
    expect(offenders).toEqual([]);
  });

  it('the Worker reaches no Node module, no offline tool and nothing under scripts/ (wrangler.toml has no nodejs_compat to hide one)', () => {
    const { files, packages, dynamic } = workerGraph('functions/worker.ts');
    expect(files).toContain('models/service/fit.ts');
    expect(packages).toContain('hono');
    expect(files.filter((f) => f.startsWith('scripts/') || f === 'functions/node.ts')).toEqual([]);
    expect(packages.filter((p) => OFFLINE_ONLY.test(p))).toEqual([]);
    expect(dynamic).toEqual([]);
    expect(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')).not.toMatch(/nodejs_compat/);
  });

  it('models/ and render/ use no Node-only module (they run in Workers as in Node)', () => {
    const offenders = [...walk('models', /\.ts$/), ...walk('render', /\.ts$/)].flatMap((file) =>
      importedSpecifiers(parse(file, readFileSync(join(ROOT, file), 'utf8'))).filter(({ specifier }) => OFFLINE_ONLY.test(specifier)).map(({ specifier, line }) => `${file}:${line} imports '${specifier}'`),
    );
    expect(offenders).toEqual([]);
  });

  it('the checks recognise every form of import, and long files and functions', () => {
    const source = [
      "import { a } from '../functions/a.js';",
      "import type { B } from '../functions/sub/b.js';",
      "export { c } from '../functions/c.js';",
      "export * from '../functions';",
      "const d = await import('../functions/d.js');",
      'const e = await import(`../functions/${name}.js`);',
      "type F = import('../functions/f.js').F;",
      "const g = require('../functions/g.js');",
      "import { h } from '../models/h.js';",
      "import { i } from '../functions-not/i.js';",
      "import { z } from 'zod';",
      "const j = await import('./functions/j.js');",
    ].join('\n');
    expect(importsInto('scripts/example.ts', source, 'functions')).toEqual([
      "scripts/example.ts:1 imports '../functions/a.js' (functions/a.js)",
      "scripts/example.ts:2 imports '../functions/sub/b.js' (functions/sub/b.js)",
      "scripts/example.ts:3 imports '../functions/c.js' (functions/c.js)",
      "scripts/example.ts:4 imports '../functions' (functions)",
      "scripts/example.ts:5 imports '../functions/d.js' (functions/d.js)",
      "scripts/example.ts:6 imports '../functions/' (functions)",
      "scripts/example.ts:7 imports '../functions/f.js' (functions/f.js)",
      "scripts/example.ts:8 imports '../functions/g.js' (functions/g.js)",
    ]);
    expect(importsInto('scripts/deeper/example.ts', "import { a } from '../../functions/a.js';", 'functions')).toHaveLength(1);
    expect(importsInto('scripts/deeper/example.ts', "import { a } from '../functions/a.js';", 'functions')).toEqual([]);

    const body = (n: number) => Array.from({ length: n }, (_, k) => `  const v${k} = ${k};`).join('\n');
    const long = `// header\nexport function long(): void {\n${body(149)}\n}\nconst short = () => {\n${body(148)}\n};\nclass K {\n  method(): void {\n${body(150)}\n  }\n}\n`;
    expect(sizeOffenders('models/example.ts', long)).toEqual({
      files: [],
      functions: ['models/example.ts:2 long: 151 lines (limit 150)', 'models/example.ts:304 method: 152 lines (limit 150)'],
    });
    expect(sizeOffenders('models/example.ts', 'x;\n'.repeat(600)).files).toEqual(['models/example.ts:1 601 lines (limit 600)']);
    expect(sizeOffenders('models/example.ts', 'x;\n'.repeat(599)).files).toEqual([]);
    expect(sizeOffenders('models/example.ts', `/** @generated by a tool */\n${'x;\n'.repeat(700)}`).files).toEqual([]);
  });
});
