// Inhibition (inhibit/inhibit.go): an alert is muted when a firing alert matches a rule's source
// side, the alert matches its target side, and the `equal` labels have the same values in both
// (a label missing from both counts as equal). An alert that matches both sides of a rule is only
// inhibited by a source alert that does not itself match the target side, so it cannot mute itself.
import { fingerprint, type LabelSet } from './labels.ts';
import { matchersFromMatch, matchersFromMatchRe, matchesLabels, type Matcher } from './matchers.ts';
import type { InhibitRuleConfig } from './route-config.ts';

export interface InhibitRule {
  readonly sourceMatchers: readonly Matcher[];
  readonly targetMatchers: readonly Matcher[];
  readonly equal: readonly string[];
}

/** An alert as the inhibitor needs it; `endsAtMs` 0 or absent means no end set (firing). */
export interface InhibitingAlert {
  readonly labels: LabelSet;
  readonly endsAtMs?: number;
}

/** NewInhibitRule: match, match_re and matchers of each side together. */
export function inhibitRuleFromConfig(c: InhibitRuleConfig): InhibitRule {
  return {
    sourceMatchers: [...matchersFromMatch(c.source_match ?? {}), ...matchersFromMatchRe(c.source_match_re ?? {}), ...(c.source_matchers ?? [])],
    targetMatchers: [...matchersFromMatch(c.target_match ?? {}), ...matchersFromMatchRe(c.target_match_re ?? {}), ...(c.target_matchers ?? [])],
    equal: [...new Set(c.equal ?? [])],
  };
}

/** types.Alert.ResolvedAt: an end time is set and not after `nowMs`. */
export function isResolvedAt(alert: { readonly endsAtMs?: number }, nowMs: number): boolean {
  return alert.endsAtMs !== undefined && alert.endsAtMs !== 0 && alert.endsAtMs <= nowMs;
}

/** The inhibitor for one set of alerts at one instant (rebuild it as alerts change). */
export class Inhibitor {
  private readonly rules: readonly { rule: InhibitRule; sources: InhibitingAlert[] }[];

  constructor(rules: readonly InhibitRule[], alerts: Iterable<InhibitingAlert>, nowMs: number) {
    const firing = [...alerts].filter((a) => !isResolvedAt(a, nowMs));
    this.rules = rules.map((rule) => ({ rule, sources: firing.filter((a) => matchesLabels(rule.sourceMatchers, a.labels)) }));
  }

  /** Inhibitor.Mutes: the fingerprint of an alert inhibiting `labels`, or undefined. */
  inhibitedBy(labels: LabelSet): string | undefined {
    for (const { rule, sources } of this.rules) {
      if (!matchesLabels(rule.targetMatchers, labels)) continue;
      const excludeTwoSided = matchesLabels(rule.sourceMatchers, labels);
      for (const source of sources) {
        if (!rule.equal.every((n) => (source.labels[n] ?? '') === (labels[n] ?? ''))) continue;
        if (excludeTwoSided && matchesLabels(rule.targetMatchers, source.labels)) continue;
        return fingerprint(source.labels);
      }
    }
    return undefined;
  }

  isInhibited(labels: LabelSet): boolean {
    return this.inhibitedBy(labels) !== undefined;
  }
}
