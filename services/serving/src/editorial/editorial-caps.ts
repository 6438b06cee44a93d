import { z } from 'zod';

/** What an item is capped by: its article's category and publisher, when known. */
export interface ArticleFacets {
  category?: string;
  publisher?: string;
}

const cap = z.number().int().min(1);
const facetCaps = z.strictObject({
  /** The most items of any one publisher (category) in a response. */
  default: cap.optional(),
  /** Per name: its own cap, instead of the default. */
  overrides: z.record(z.string().min(1), cap).default({}),
});
const editorialCapsSettings = z.strictObject({
  publisher: facetCaps.optional(),
  category: facetCaps.optional(),
});
export type EditorialCapsSettings = z.infer<typeof editorialCapsSettings>;

/** SERVING_EDITORIAL_CAPS: the caps as JSON; empty (the default) for none. */
export const EditorialCapsConfig = z
  .string()
  .default('')
  .transform((value, ctx) => {
    if (value.trim() === '') return {};
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON, e.g. {"publisher":{"default":3}}' });
      return z.NEVER;
    }
  })
  .pipe(editorialCapsSettings);

const facetNames = ['publisher', 'category'] as const;
type Facet = (typeof facetNames)[number];

/** One facet's caps, ready for lookups (a Map: a name like "constructor" is just a name). */
interface FacetLimits {
  default: number | undefined;
  overrides: ReadonlyMap<string, number>;
}

/**
 * Caps per publisher and per category in one response, from the configuration. A rule is named
 * `<facet>:<name>` (e.g. `publisher:daily-planet`): the served record says which one left an item out.
 */
export class EditorialCaps {
  /** Whether any cap is set: without one, responses count nothing. */
  readonly enabled: boolean;
  private readonly limits: Readonly<Record<Facet, FacetLimits | undefined>>;

  constructor(settings: EditorialCapsSettings) {
    const limits = (facet: Facet): FacetLimits | undefined => {
      const caps = settings[facet];
      const overrides = new Map(Object.entries(caps?.overrides ?? {}));
      return caps?.default === undefined && overrides.size === 0
        ? undefined
        : { default: caps?.default, overrides };
    };
    this.limits = { publisher: limits('publisher'), category: limits('category') };
    this.enabled = facetNames.some((facet) => this.limits[facet] !== undefined);
  }

  /** A count for one response, or undefined when no cap is configured. */
  tally(): CapTally | undefined {
    return this.enabled ? new CapTally(this) : undefined;
  }

  /** The cap on `name` of `facet`: its override, else the facet's default, else none. */
  limitOf(facet: Facet, name: string | undefined): number | undefined {
    const limits = this.limits[facet];
    if (!limits || name === undefined) return undefined;
    return limits.overrides.get(name) ?? limits.default;
  }
}

/**
 * How many items of each publisher and category one response holds so far. Per request, on the
 * hot path: names are counted as they come (interned by the index), a rule's name is built only
 * for an item it leaves out.
 */
export class CapTally {
  private readonly counts: Record<Facet, Map<string, number>> = { publisher: new Map(), category: new Map() };

  constructor(private readonly caps: EditorialCaps) {}

  /** The rule an item of these facets would break, if it were added. */
  exceeded(facets: ArticleFacets | undefined): string | undefined {
    if (!facets) return undefined;
    for (const facet of facetNames) {
      const name = facets[facet];
      const limit = this.caps.limitOf(facet, name);
      if (limit !== undefined && name !== undefined && (this.counts[facet].get(name) ?? 0) >= limit)
        return `${facet}:${name}`;
    }
    return undefined;
  }

  /** Counts an item added to the response. */
  add(facets: ArticleFacets | undefined): void {
    if (!facets) return;
    for (const facet of facetNames) {
      const name = facets[facet];
      if (name !== undefined) this.counts[facet].set(name, (this.counts[facet].get(name) ?? 0) + 1);
    }
  }
}
