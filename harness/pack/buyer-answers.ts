/**
 * The three questions a buyer asks a vendor before trusting multi-tenancy, answered from the
 * evidence in the pack. Every answer states what the evidence shows, never more: tenantproof
 * cannot read the vendor's SOC 2 report, so question 1 is answered with what this testing covers
 * and which SOC 2 criteria it maps to, for the vendor's auditor to cite.
 */
import type { Evidence } from '../evidence/evidence-schema.ts';
import { ageText, freshnessOf } from '../evidence/freshness.ts';
import {
  dateText,
  durationText,
  incidentTitle,
  statusText,
  versionText,
  type LedgerReportModel,
} from '../ledger/report-model.ts';
import { leakKindText } from '../ledger/leaked-kinds.ts';

/** A place in the pack an answer points to (a path relative to the summary). */
export interface EvidenceLink {
  label: string;
  href: string;
}

export interface BuyerAnswer {
  id: 'soc2-coverage' | 'last-assessment' | 'incidents';
  question: string;
  /** One sentence. */
  answer: string;
  /** How the answer reads at a glance. */
  tone: 'good' | 'warn' | 'bad' | 'neutral';
  details: string[];
  links: EvidenceLink[];
}

export interface AnswerInputs {
  latest: { evidence: Evidence; href: string };
  /** Evidence older than this (months) is a flag for a buyer (the article says 18). */
  staleAfterMonths: number;
  ledger?: { model: LedgerReportModel; reportHref: string; markdownHref: string; fileHref: string };
  oscalHref: string;
  now: Date;
}

export const QUESTIONS: Record<BuyerAnswer['id'], string> = {
  'soc2-coverage': "Does the vendor's SOC 2 explicitly cover multi-tenant isolation testing?",
  'last-assessment': 'When was the last security audit of tenant isolation, and what did it cover?',
  incidents:
    'Can the vendor describe a tenant isolation incident from the last five years, and how it was detected and fixed?',
};

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

function soc2Answer(inputs: AnswerInputs): BuyerAnswer {
  const { evidence, href } = inputs.latest;
  const soc2 = evidence.controlMapping.filter((c) => /soc ?2/i.test(c.framework));
  const failed = soc2.filter((c) => c.status === 'violated');
  const untested = soc2.filter((c) => c.status === 'not-tested' || c.status === 'inconclusive');
  const details = soc2.map(
    (c) => `${c.framework} ${c.id} (${c.title}): ${c.status}. Tested: ${c.tested} Oracles: ${c.oracles.join(', ')}.`,
  );
  const others = [...new Set(evidence.controlMapping.filter((c) => !soc2.includes(c)).map((c) => c.framework))];
  if (others.length > 0) details.push(`Also mapped: ${others.join(', ')} (see the control mapping in the report).`);
  return {
    id: 'soc2-coverage',
    question: QUESTIONS['soc2-coverage'],
    answer:
      soc2.length === 0
        ? 'The latest run maps to no SOC 2 criterion; the vendor must show its SOC 2 scope separately.'
        : `Multi-tenant isolation is tested automatically by tenantproof, and the signed evidence maps to SOC 2 ${soc2
            .map((c) => c.id)
            .join(', ')}${
            failed.length > 0
              ? `; the latest run found ${failed.length} of them violated`
              : untested.length > 0
                ? `; the latest run left ${untested.length} of them not tested or inconclusive`
                : ', none violated in the latest run'
          }. Whether the vendor's SOC 2 report cites this testing is for its auditor to state.`,
    tone:
      soc2.length === 0 || untested.length > 0
        ? failed.length > 0
          ? 'bad'
          : 'warn'
        : failed.length > 0
          ? 'bad'
          : 'good',
    details,
    links: [
      { label: 'control mapping (report)', href: `${href}/report.html` },
      { label: 'evidence.json', href: `${href}/evidence.json` },
      { label: 'OSCAL assessment results', href: inputs.oscalHref },
    ],
  };
}

function lastAssessmentAnswer(inputs: AnswerInputs): BuyerAnswer {
  const { evidence, href } = inputs.latest;
  const freshness = freshnessOf(evidence, inputs.now);
  const summary = evidence.coverage.summary;
  const stale = freshness.ageMonths >= inputs.staleAfterMonths;
  const details = [
    `Run ${evidence.runId}, assessed ${dateText(freshness.assessedAt)} (${ageText(freshness)})${
      freshness.validUntil ? `, valid until ${dateText(freshness.validUntil)}` : ''
    }.`,
    `Target: ${evidence.scope.spec.title} ${evidence.scope.spec.version}; ${evidence.scope.operations.inScope.length} operations in scope, ${evidence.scope.operations.outOfScope.length} out of scope (listed with reasons in the report).`,
    summary
      ? `Cross-tenant coverage: ${summary.probed} of ${summary.tenantOwned} tenant-owned operations probed (${percent(summary.ratio)}; the gate for a clean verdict was ${percent(summary.minimum)}).`
      : 'Cross-tenant coverage: not summarised in this evidence.',
    `Method: ${evidence.method.requestCount} requests from ${evidence.method.tenants.length} tenants, oracles ${evidence.method.oracles.join(', ')}; negative control ${evidence.negativeControl.outcome}.`,
    `Verdict: ${evidence.verdict.toUpperCase()}${evidence.verdictReason ? ` (${evidence.verdictReason})` : ''}; ${evidence.findings.length} finding(s).`,
  ];
  return {
    id: 'last-assessment',
    question: QUESTIONS['last-assessment'],
    answer: `${dateText(freshness.assessedAt).slice(0, 10)} (${ageText(freshness)}): verdict ${evidence.verdict.toUpperCase()}, ${
      summary ? `${percent(summary.ratio)} of tenant-owned operations probed cross-tenant` : 'coverage not summarised'
    }${stale ? `; older than ${inputs.staleAfterMonths} months, which a buyer should treat as a flag` : ''}.`,
    tone: stale || evidence.verdict === 'inconclusive' ? 'warn' : evidence.verdict === 'leak' ? 'bad' : 'good',
    details,
    links: [
      { label: 'report', href: `${href}/report.html` },
      { label: 'signed run folder', href: `${href}/` },
    ],
  };
}

function incidentsAnswer(inputs: AnswerInputs): BuyerAnswer {
  const ledger = inputs.ledger;
  if (!ledger)
    return {
      id: 'incidents',
      question: QUESTIONS.incidents,
      answer:
        'No incident ledger was supplied with this pack, so it shows no incident history; ask the vendor for its tenantproof ledger.',
      tone: 'warn',
      details: [],
      links: [],
    };
  const { model } = ledger;
  const since = new Date(inputs.now.getTime() - 5 * 365.25 * 86_400_000).toISOString();
  const recent = model.incidents.filter((i) => i.lastSeen.date >= since);
  const details = recent.map((i) => {
    const fixes = i.episodes
      .map(
        (e) =>
          `opened ${dateText(e.opened.date)} in ${versionText(e.opened.targetVersion)}${
            e.fixedIn
              ? `, fixed in ${versionText(e.fixedIn.targetVersion)} (${dateText(e.fixedIn.date)}${
                  e.timeToFixMs !== undefined ? `, after ${durationText(e.timeToFixMs)}` : ''
                })`
              : ', not yet fixed'
          }`,
      )
      .join('; ');
    return `${incidentTitle(i)}: leaked ${i.leaked.map(leakKindText).join(', ') || 'data (kind not recorded)'}; detected by ${i.oracles.join(', ')} in run ${i.detection.run.runId}; ${fixes}. Status: ${statusText(i)}.`;
  });
  const since1 = model.lastCleanFullCoverage;
  if (since1)
    details.push(
      `Last run clean with full coverage: ${since1.run.runId} (${dateText(since1.run.date)}), ${since1.days} day(s) ago.`,
    );
  else details.push('No run in the ledger was clean with full coverage.');
  const open = recent.filter((i) => i.status === 'open');
  return {
    id: 'incidents',
    question: QUESTIONS.incidents,
    answer:
      recent.length === 0
        ? `The ledger (${model.runs.length} runs) records no tenant isolation incident in the last five years.`
        : `The ledger (${model.runs.length} runs) records ${recent.length} incident(s) in the last five years, each with how it was detected and when it was fixed; ${
            open.length === 0 ? 'all are fixed' : `${open.length} still open`
          }.`,
    tone: open.length > 0 ? 'bad' : 'good',
    details,
    links: [
      { label: 'ledger report', href: ledger.reportHref },
      { label: 'ledger report (Markdown)', href: ledger.markdownHref },
      { label: 'ledger (NDJSON)', href: ledger.fileHref },
    ],
  };
}

export function answerBuyerQuestions(inputs: AnswerInputs): BuyerAnswer[] {
  return [soc2Answer(inputs), lastAssessmentAnswer(inputs), incidentsAnswer(inputs)];
}
