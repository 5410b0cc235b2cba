/** Naming rules: resource names from path segments, and which names look like ids of a resource. */

const IRREGULAR: Record<string, string> = {
  people: 'person',
  children: 'child',
  men: 'man',
  women: 'woman',
  data: 'data',
  media: 'media',
  status: 'status',
  news: 'news',
  series: 'series',
  analysis: 'analysis',
  address: 'address',
  business: 'business',
  access: 'access',
  process: 'process',
};

/** `customers` -> `customer`, `categories` -> `category`, `addresses` -> `address`, `kases` -> `kase`. */
export function singularize(word: string): string {
  const lower = word.toLowerCase();
  if (IRREGULAR[lower]) return IRREGULAR[lower];
  if (/ies$/.test(lower) && lower.length > 4) return lower.slice(0, -3) + 'y';
  if (/(ss|us|is)$/.test(lower)) return lower;
  if (/(ches|shes|xes|zes|sses|uses)$/.test(lower)) return lower.slice(0, -2);
  if (/s$/.test(lower) && lower.length > 3) return lower.slice(0, -1);
  return lower;
}

/** Canonical resource name: singular, lower-case, words joined by `-` (`line_items` -> `line-item`). */
export function resourceNameFromSegment(segment: string): string {
  const words = splitWords(segment);
  if (words.length === 0) return segment.toLowerCase();
  words[words.length - 1] = singularize(words[words.length - 1]!);
  return words.join('-');
}

/** Splits `customerId`, `customer_id`, `Customer-ID`, `lineItems` into lower-case words. */
export function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

const ID_SUFFIXES = [['id'], ['ids'], ['uuid'], ['key'], ['slug'], ['code'], ['number']] as const;

/**
 * If `name` looks like an id of a resource (`customerId`, `customer_id`, `customerIds`,
 * `customer`), returns the resource words and whether it is plural. `bare` allows a plain
 * resource name (`customer`, Stripe style) to count.
 */
export function idReference(
  name: string,
  knownResources: ReadonlySet<string>,
  bare: boolean,
): { resource: string; many: boolean } | undefined {
  const words = splitWords(name);
  if (words.length === 0) return undefined;
  for (const suffix of ID_SUFFIXES) {
    const last = words[words.length - 1];
    if (words.length > suffix.length && last === suffix[0]) {
      const base = words.slice(0, -1);
      const resource = matchResource(base, knownResources);
      if (resource) return { resource, many: suffix[0] === 'ids' };
    }
  }
  if (bare) {
    const resource = knownResources.has(words.join('-')) ? words.join('-') : undefined;
    if (resource) return { resource, many: false };
    const plural = matchResource(words, knownResources);
    if (plural && words.join('-') !== plural) return { resource: plural, many: true };
  }
  return undefined;
}

function matchResource(words: string[], known: ReadonlySet<string>): string | undefined {
  if (words.length === 0) return undefined;
  const exact = words.join('-');
  if (known.has(exact)) return exact;
  const singular = [...words.slice(0, -1), singularize(words[words.length - 1]!)].join('-');
  if (known.has(singular)) return singular;
  return undefined;
}

/** True for a name that can only be an id (`id`, `uuid`, `_id`, `customerId`, `customer_id`). */
export function isIdLikeName(name: string): boolean {
  if (/^(id|uuid|_id|guid|key|slug)$/i.test(name)) return true;
  return /[a-z0-9](Id|ID|Ids|IDs|Uuid|UUID)$/.test(name) || /_(id|ids|uuid)$/i.test(name);
}

/** Path segments that are API plumbing, not resources. */
export function isNoiseSegment(segment: string): boolean {
  return /^(v\d+(\.\d+)*|api|rest|public|private|latest)$/i.test(segment);
}
