/**
 * Typechecks generated files with the TypeScript compiler API (one program, no emit), returning
 * readable diagnostics. Used by the parity, corpus and README tests.
 */
import ts from 'typescript';

export const STRICT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  strict: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noEmit: true,
};

export interface TypecheckResult {
  diagnostics: string[];
  millis: number;
}

export function typecheck(
  rootNames: string[],
  options: ts.CompilerOptions = {},
  host?: ts.CompilerHost,
): TypecheckResult {
  const started = performance.now();
  const compilerOptions = { ...STRICT_OPTIONS, ...options };
  const program = ts.createProgram({ rootNames, options: compilerOptions, ...(host ? { host } : {}) });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}:${line + 1}:${character + 1} TS${d.code}: ${message}`;
  });
  return { diagnostics, millis: performance.now() - started };
}
