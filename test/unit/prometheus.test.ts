// The one Prometheus renderer: HELP/TYPE per family, labels in the given order with \ " and newline escaped, suffixes, a final newline.
import { describe, expect, it } from 'vitest';
import { escapeLabelValue, renderPrometheus } from '../../engine/index.js';

describe('renderPrometheus', () => {
  it('renders families, samples, label escaping and suffixes in the exposition format', () => {
    const text = renderPrometheus([
      {
        name: 'x_total',
        help: 'Things\\counted\nby kind.',
        type: 'counter',
        samples: [{ labels: { kind: 'a"b\\c\nd', z: '1' }, value: 3 }, { value: 0.25 }],
      },
      {
        name: 'x_seconds',
        help: 'Latency.',
        type: 'summary',
        samples: [
          { labels: { quantile: '0.5' }, value: 0.001 },
          { suffix: '_sum', value: 1.5 },
          { suffix: '_count', value: 2 },
        ],
      },
    ]);
    expect(text).toBe(
      [
        '# HELP x_total Things\\\\counted\\nby kind.',
        '# TYPE x_total counter',
        'x_total{kind="a\\"b\\\\c\\nd",z="1"} 3',
        'x_total 0.25',
        '# HELP x_seconds Latency.',
        '# TYPE x_seconds summary',
        'x_seconds{quantile="0.5"} 0.001',
        'x_seconds_sum 1.5',
        'x_seconds_count 2',
        '',
      ].join('\n'),
    );
    expect(escapeLabelValue('plain')).toBe('plain');
  });
});
