/**
 * Bundle budget: the JavaScript a first visit downloads before the dashboard can render (the
 * entry chunk and every chunk it imports statically, not the lazily loaded pages) must stay at or
 * under 150 KB gzipped. Run after `vite build` (npm run build:client does); exits 1 past the budget.
 *
 *   tsx client/scripts/check-bundle.ts [distDir]
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** 150 KB, counted in decimal kilobytes (the stricter reading). */
export const INITIAL_JS_BUDGET_BYTES = 150_000;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

export interface BundleFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface BundleReport {
  initialJs: BundleFile[];
  initialJsGzipBytes: number;
  initialCssGzipBytes: number;
  lazyJsGzipBytes: number;
}

const gzipSize = (path: string): number => gzipSync(readFileSync(path), { level: 9 }).length;

/** Measures a build from its Vite manifest (build.manifest: true in client/vite.config.ts). */
export function measureBundle(distDir: string): BundleReport {
  const manifest = JSON.parse(
    readFileSync(join(distDir, ".vite", "manifest.json"), "utf8"),
  ) as Record<string, ManifestChunk>;
  const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
  if (entries.length === 0) throw new Error(`No entry chunk in ${distDir}/.vite/manifest.json`);

  const initial = new Set<string>();
  const css = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || initial.has(key)) return;
    initial.add(key);
    chunk.css?.forEach((c) => css.add(c));
    chunk.imports?.forEach(visit);
  };
  entries.forEach(([key]) => visit(key));

  const file = (name: string): BundleFile => {
    const path = join(distDir, name);
    return { file: name, bytes: readFileSync(path).length, gzipBytes: gzipSize(path) };
  };
  const initialJs = [...initial].map((key) => file(manifest[key]!.file));
  const lazyFiles = new Set(
    Object.entries(manifest)
      .filter(([key, chunk]) => !initial.has(key) && chunk.file.endsWith(".js"))
      .map(([, chunk]) => chunk.file),
  );
  return {
    initialJs,
    initialJsGzipBytes: initialJs.reduce((sum, f) => sum + f.gzipBytes, 0),
    initialCssGzipBytes: [...css].reduce((sum, name) => sum + gzipSize(join(distDir, name)), 0),
    lazyJsGzipBytes: [...lazyFiles].reduce((sum, name) => sum + gzipSize(join(distDir, name)), 0),
  };
}

export function checkBudget(
  report: BundleReport,
  budget = INITIAL_JS_BUDGET_BYTES,
): { ok: boolean; message: string } {
  const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
  const lines = [
    ...report.initialJs.map(
      (f) =>
        `  ${f.file.padEnd(40)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzipBytes).padStart(8)}`,
    ),
    `initial JS ${kb(report.initialJsGzipBytes)} gzipped (budget ${kb(budget)}); initial CSS ${kb(report.initialCssGzipBytes)}; lazy pages ${kb(report.lazyJsGzipBytes)}`,
  ];
  const ok = report.initialJsGzipBytes <= budget;
  if (!ok)
    lines.push(
      `Bundle budget exceeded by ${kb(report.initialJsGzipBytes - budget)}: split a route or drop a dependency.`,
    );
  return { ok, message: lines.join("\n") };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const distDir = resolve(process.argv[2] ?? fileURLToPath(new URL("../dist", import.meta.url)));
  const result = checkBudget(measureBundle(distDir));
  console.log(result.message);
  process.exit(result.ok ? 0 : 1);
}
