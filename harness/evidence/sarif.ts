/**
 * `results.sarif`: SARIF 2.1.0. One rule per oracle, each related to CWE-639 (and CWE-200 for the
 * disclosure oracles) through a `CWE` taxonomy; one result per finding, with the offending request
 * and response as `webRequest`/`webResponse` (already redacted, from the transcript), a location
 * pointing at the transcript line, and `invocations` with start/end times and the command line.
 * Validated in tests against the official schema vendored at `specs/sarif-schema-2.1.0.json`.
 */
import { createHash } from 'node:crypto';
import type { Exchange, OracleName } from '../model/exchange.ts';
import { ORACLES, type OracleSet } from '../oracles/index.ts';
import type { CweId } from '../oracles/oracle.ts';
import { CONTROLS } from './controls.ts';
import type { Evidence, EvidenceFinding } from './evidence-schema.ts';
import { TRANSCRIPT_FILE } from './transcript.ts';

export const SARIF_FILE = 'results.sarif';
export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

const CWE = {
  name: 'CWE',
  version: '4.16',
  organization: 'MITRE',
  informationUri: 'https://cwe.mitre.org/data/published/cwe_v4.16.pdf',
  taxa: [
    {
      id: '639',
      name: 'AuthorizationBypassThroughUserControlledKey',
      title: 'Authorization Bypass Through User-Controlled Key',
      helpUri: 'https://cwe.mitre.org/data/definitions/639.html',
    },
    {
      id: '200',
      name: 'ExposureOfSensitiveInformationToAnUnauthorizedActor',
      title: 'Exposure of Sensitive Information to an Unauthorized Actor',
      helpUri: 'https://cwe.mitre.org/data/definitions/200.html',
    },
    {
      id: '203',
      name: 'ObservableDiscrepancy',
      title: 'Observable Discrepancy',
      helpUri: 'https://cwe.mitre.org/data/definitions/203.html',
    },
    {
      id: '915',
      name: 'ImproperlyControlledModificationOfDynamicallyDeterminedObjectAttributes',
      title: 'Improperly Controlled Modification of Dynamically-Determined Object Attributes',
      helpUri: 'https://cwe.mitre.org/data/definitions/915.html',
    },
  ],
} as const;

const LEVEL: Record<EvidenceFinding['severity'], 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};
const SECURITY_SEVERITY: Record<EvidenceFinding['severity'], string> = {
  critical: '9.1',
  high: '7.5',
  medium: '5.3',
  low: '3.1',
};

/** The CWE taxa SARIF results may cite; every oracle's `cwes` must be among them. */
export const CWE_TAXA = CWE.taxa;

function pascal(s: string): string {
  return s.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

function taxonRef(id: string) {
  const index = CWE.taxa.findIndex((t) => t.id === id);
  return { id, index, toolComponent: { name: CWE.name, index: 0 } };
}

export interface SarifOptions {
  /** The command line that started the run (secrets must already be absent). */
  commandLine: string;
  arguments?: string[];
  /** Redacted exchanges by seq, e.g. from `exchangesFromTranscript`. */
  exchanges?: ReadonlyMap<number, Exchange>;
  /** Process exit code, when known. */
  exitCode?: number;
  /** The oracle registry the rules come from (default: the built-in one). */
  oracles?: OracleSet;
}

/** An oracle's rule: from the registry, or (for an oracle this version does not know) from the evidence. */
function ruleOf(
  name: OracleName,
  evidence: Evidence,
  registry: OracleSet,
): { title: string; rule: string; cwes: readonly CweId[]; controls: readonly string[] } {
  const known = registry.get(name);
  if (known) return known;
  const recorded = evidence.method.oracleRules?.find((r) => r.name === name);
  return { title: recorded?.title ?? name, rule: recorded?.rule ?? name, cwes: ['639'], controls: [] };
}

function webRequest(ex: Exchange) {
  return {
    protocol: 'HTTP',
    version: '1.1',
    target: ex.request.url,
    method: ex.request.method,
    headers: { ...ex.request.headers },
    ...(ex.request.bodyText ? { body: { text: ex.request.bodyText } } : {}),
  };
}

function webResponse(ex: Exchange) {
  if (!ex.response)
    return {
      protocol: 'HTTP',
      version: '1.1',
      noResponseReceived: true,
      ...(ex.error ? { properties: { error: `${ex.error.code}: ${ex.error.message}` } } : {}),
    };
  return {
    protocol: 'HTTP',
    version: '1.1',
    statusCode: ex.response.status,
    headers: { ...ex.response.headers },
    body: { text: ex.response.bodyText },
  };
}

export function renderSarif(evidence: Evidence, options: SarifOptions): Record<string, unknown> {
  const oracles = [...evidence.method.oracles];
  for (const f of evidence.findings) if (!oracles.includes(f.oracle)) oracles.push(f.oracle);
  const registry = options.oracles ?? ORACLES;
  const rules = oracles.map((o) => {
    const r = ruleOf(o, evidence, registry);
    return {
      id: o,
      name: pascal(o),
      shortDescription: { text: r.title },
      fullDescription: { text: r.rule },
      defaultConfiguration: { level: 'error' },
      relationships: r.cwes.map((id) => ({ target: taxonRef(id), kinds: ['superset'] })),
      properties: {
        tags: ['security', 'multi-tenant', 'tenant-isolation', ...r.cwes.map((id) => `external/cwe/cwe-${id}`)],
        controls: CONTROLS.filter((c) => r.controls.includes(c.id)).map((c) => `${c.framework} ${c.id}`),
      },
    };
  });

  const results = evidence.findings.map((f) => {
    const primarySeq = f.exchanges[0];
    const ex = primarySeq !== undefined ? options.exchanges?.get(primarySeq) : undefined;
    const line = f.transcriptLines[0] ?? ex?.transcriptLine;
    const fingerprint = createHash('sha256')
      .update(`${f.oracle}|${f.operationId}|${f.attacker}|${f.victim ?? ''}|${f.summary}`)
      .digest('hex');
    return {
      ruleId: f.oracle,
      ruleIndex: oracles.indexOf(f.oracle),
      kind: 'fail',
      // An unconfirmed finding is a note: it cannot carry a LEAK verdict.
      level: f.confirmation === 'unconfirmed' ? 'note' : LEVEL[f.severity],
      message: { text: f.summary },
      locations: [
        {
          ...(line !== undefined
            ? { physicalLocation: { artifactLocation: { uri: TRANSCRIPT_FILE }, region: { startLine: line } } }
            : { physicalLocation: { artifactLocation: { uri: TRANSCRIPT_FILE } } }),
          logicalLocations: [
            {
              name: f.operationId,
              kind: 'function',
              fullyQualifiedName: `${evidence.scope.spec.title}#${f.operationId}`,
            },
          ],
        },
      ],
      ...(f.transcriptLines.length > 1
        ? {
            relatedLocations: f.transcriptLines.slice(1).map((l, i) => ({
              id: i + 1,
              physicalLocation: { artifactLocation: { uri: TRANSCRIPT_FILE }, region: { startLine: l } },
            })),
          }
        : {}),
      partialFingerprints: { 'tenantproof/v1': fingerprint },
      taxa: ruleOf(f.oracle, evidence, registry).cwes.map(taxonRef),
      ...(ex ? { webRequest: webRequest(ex), webResponse: webResponse(ex) } : {}),
      properties: {
        findingId: f.id,
        severity: f.severity,
        confirmation: f.confirmation ?? 'self-proving',
        ...(f.proof ? { proof: f.proof } : {}),
        'security-severity': SECURITY_SEVERITY[f.severity],
        attacker: f.attacker,
        ...(f.victim ? { victim: f.victim } : {}),
        reproduced: f.reproduction.reproduced,
        attempts: f.reproduction.attempts,
        exchanges: f.exchanges,
        repro: f.repro.steps,
        ...(f.counterexample ? { counterexample: f.counterexample } : {}),
      },
    };
  });

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: evidence.method.tool.name,
            version: evidence.method.tool.version,
            semanticVersion: evidence.method.tool.version,
            rules,
            supportedTaxonomies: [{ name: CWE.name, index: 0 }],
          },
        },
        taxonomies: [
          {
            name: CWE.name,
            version: CWE.version,
            organization: CWE.organization,
            informationUri: CWE.informationUri,
            shortDescription: { text: 'The MITRE Common Weakness Enumeration' },
            isComprehensive: false,
            taxa: CWE.taxa.map((t) => ({
              id: t.id,
              name: t.name,
              shortDescription: { text: t.title },
              helpUri: t.helpUri,
            })),
          },
        ],
        invocations: [
          {
            executionSuccessful: !evidence.method.partial,
            commandLine: options.commandLine,
            ...(options.arguments ? { arguments: options.arguments } : {}),
            startTimeUtc: evidence.method.startedAt,
            endTimeUtc: evidence.method.endedAt,
            ...(options.exitCode !== undefined ? { exitCode: options.exitCode } : {}),
            properties: {
              seed: evidence.method.seed,
              requestCount: evidence.method.requestCount,
              interleavedBatchCount: evidence.method.interleavedBatchCount,
            },
          },
        ],
        automationDetails: { id: `tenantproof/${evidence.runId}` },
        columnKind: 'utf16CodeUnits',
        results,
        properties: {
          verdict: evidence.verdict,
          runId: evidence.runId,
          specSha256: evidence.scope.spec.sha256,
          gitCommit: evidence.method.tool.gitCommit,
        },
      },
    ],
  };
}

export function serializeSarif(log: Record<string, unknown>): string {
  return JSON.stringify(log, null, 2) + '\n';
}
