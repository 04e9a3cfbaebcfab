// The one Prometheus text renderer (exposition format 0.0.4): metric families in, text out. The metrics plugin
// and the server's GET /metrics describe their numbers as families; escaping and layout live only here.

/** One line of a family: optional name suffix (`_sum`, `_count`), labels in the order given, and the value. */
export interface PrometheusSample {
  suffix?: string;
  labels?: Readonly<Record<string, string>>;
  value: number;
}

/** A metric family: one `# HELP` and one `# TYPE` line, then its samples. */
export interface PrometheusFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'summary';
  samples: readonly PrometheusSample[];
}

/** A label value with backslash, newline and double quote escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text escapes backslash and newline only. */
const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function sampleLine(name: string, sample: PrometheusSample): string {
  const labels = Object.entries(sample.labels ?? {});
  const braces =
    labels.length === 0 ? '' : `{${labels.map(([key, value]) => `${key}="${escapeLabelValue(value)}"`).join(',')}}`;
  return `${name}${sample.suffix ?? ''}${braces} ${sample.value}`;
}

/** The text exposition of these families, one line each, ending with a newline. */
export function renderPrometheus(families: readonly PrometheusFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(sampleLine(family.name, sample));
  }
  return `${lines.join('\n')}\n`;
}
