#!/usr/bin/env node
/**
 * route-doctor — the command-line edge of the analysis core, for CI.
 * Exit codes: 0 no error found, 1 errors found, 2 usage or I/O failure.
 */
import { existsSync } from 'node:fs';
import { analyzeParsed } from '../core/workspace';
import { makeAnalysisOptions, type Finding, type TraefikOptions } from '../core/model';
import { defaultMaxFileLength, parseFile, type ParsedFile } from '../core/parse/parseFile';
import { readYamlFile, walkYamlFiles } from '../host/files';
import { formatJson, formatSarif, formatText, type Report } from './format';

export const usage = `Usage: route-doctor check [options] [paths…]

Checks Kubernetes manifests for Traefik routes that will not work (404/503) and explains why.
Directories are walked for *.yaml and *.yml files; the default path is the current directory.

Options:
  --traefik v2|v3                       Traefik major version to emulate (default v3)
  --allow-cross-namespace               providers.kubernetesCRD.allowCrossNamespace=true
  --allow-external-name-services        providers.kubernetesCRD.allowExternalNameServices=true
  --allow-empty-services                providers.kubernetesCRD.allowEmptyServices=true
  --namespaces a,b                      namespaces Traefik watches (default: all)
  --ingress-class NAME                  providers.kubernetesCRD.ingressClass
  --cross-provider-namespaces a,b       namespaces allowed to use name@provider references ("" allows none)
  --native-lb-by-default                providers.kubernetesCRD.nativeLBByDefault=true
  --disable-cluster-scope-resources     providers.kubernetesCRD.disableClusterScopeResources=true
  --format text|json|sarif              output format (default text)
  -h, --help                            show this help
`;

class UsageError extends Error {}

export interface CliOptions {
  paths: string[];
  traefik: Partial<TraefikOptions>;
  format: 'text' | 'json' | 'sarif';
}

function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function parseArgs(argv: string[]): CliOptions | 'help' {
  const args = [...argv];
  if (args.length === 0 || args[0] === '-h' || args[0] === '--help') return 'help';
  const command = args.shift();
  if (command !== 'check') throw new UsageError(`unknown command "${command}"`);
  const opts: CliOptions = { paths: [], traefik: {}, format: 'text' };
  const value = (flag: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const v = args.shift();
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  while (args.length > 0) {
    const arg = args.shift()!;
    if (!arg.startsWith('-') || arg === '-') { opts.paths.push(arg); continue; }
    if (arg === '--') { opts.paths.push(...args.splice(0)); break; }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    switch (flag) {
      case '-h': case '--help': return 'help';
      case '--traefik': {
        const v = value(flag, inline);
        if (v !== 'v2' && v !== 'v3') throw new UsageError(`--traefik must be v2 or v3, not "${v}"`);
        opts.traefik.version = v;
        break;
      }
      case '--allow-cross-namespace': opts.traefik.allowCrossNamespace = true; break;
      case '--allow-external-name-services': opts.traefik.allowExternalNameServices = true; break;
      case '--allow-empty-services': opts.traefik.allowEmptyServices = true; break;
      case '--native-lb-by-default': opts.traefik.nativeLBByDefault = true; break;
      case '--disable-cluster-scope-resources': opts.traefik.disableClusterScopeResources = true; break;
      case '--namespaces': opts.traefik.namespaces = list(value(flag, inline)); break;
      case '--ingress-class': opts.traefik.ingressClass = value(flag, inline); break;
      case '--cross-provider-namespaces': opts.traefik.crossProviderNamespaces = list(value(flag, inline)); break;
      case '--format': {
        const v = value(flag, inline);
        if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not "${v}"`);
        opts.format = v;
        break;
      }
      default: throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (opts.paths.length === 0) opts.paths.push('.');
  return opts;
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function runCli(argv: string[]): CliResult {
  let opts: CliOptions | 'help';
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return { exitCode: 2, stdout: '', stderr: `route-doctor: ${e.message}\n\n${usage}` };
    throw e;
  }
  if (opts === 'help') return { exitCode: 0, stdout: usage, stderr: '' };
  const files: string[] = [];
  for (const p of opts.paths) {
    if (!existsSync(p)) return { exitCode: 2, stdout: '', stderr: `route-doctor: ${p}: no such file or directory\n` };
    try {
      files.push(...walkYamlFiles(p));
    } catch (e) {
      return { exitCode: 2, stdout: '', stderr: `route-doctor: ${p}: ${(e as Error).message}\n` };
    }
  }
  const unique = [...new Set(files)];
  const texts = new Map<string, string>();
  const parsed: ParsedFile[] = [];
  for (const file of unique) {
    let decoded;
    try {
      decoded = readYamlFile(file, defaultMaxFileLength * 2);
    } catch (e) {
      return { exitCode: 2, stdout: '', stderr: `route-doctor: ${file}: ${(e as Error).message}\n` };
    }
    const text = decoded.ok ? decoded.text : '';
    texts.set(file, text);
    const p = parseFile(file, text);
    if (!decoded.ok) {
      p.problems.push({ code: 'file-skipped', severity: 'information', file, span: { start: 0, end: 0 }, message: `Route Doctor skipped this file: ${decoded.reason}.` });
    }
    parsed.push(p);
  }
  const result = analyzeParsed(parsed, makeAnalysisOptions(opts.traefik));
  const diagnostics: Finding[] = [];
  for (const file of unique) diagnostics.push(...(result.findings.get(file) ?? []));
  const report: Report = { files: unique.length, resources: result.index.resourceCount, findings: diagnostics, texts };
  const stdout = opts.format === 'json' ? formatJson(report) : opts.format === 'sarif' ? formatSarif(report) : formatText(report);
  const errors = diagnostics.some((d) => d.severity === 'error');
  return { exitCode: errors ? 1 : 0, stdout, stderr: '' };
}

function main(): void {
  let result: CliResult;
  try {
    result = runCli(process.argv.slice(2));
  } catch (e) {
    result = { exitCode: 2, stdout: '', stderr: `route-doctor: internal error: ${(e as Error).stack ?? e}\n` };
  }
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

if (require.main === module) main();
