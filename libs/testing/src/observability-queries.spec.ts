import { dashboardQueries, metricNamesIn, ruleQueries } from './observability-queries';

describe('metricNamesIn', () => {
  it('finds the selected metrics, not functions, keywords, labels, durations or numbers', () => {
    expect(
      metricNamesIn(
        'sum by (service, le) (rate(http_server_request_duration_seconds_bucket{route!~"/health/.*", outcome="failed"}[5m]))',
      ),
    ).toEqual(['http_server_request_duration_seconds_bucket']);
    expect(
      metricNamesIn(
        '(newsroom:slo_errors:ratio_rate1h > on (service) (14.4 * newsroom:slo_error_budget:ratio)) and on (service) up == 0',
      ),
    ).toEqual(['newsroom:slo_errors:ratio_rate1h', 'newsroom:slo_error_budget:ratio', 'up']);
    expect(
      metricNamesIn('monitoring_dead_letter_records - monitoring_dead_letter_records offset 15m > 0'),
    ).toEqual(['monitoring_dead_letter_records']);
    expect(metricNamesIn('count(ALERTS{alertstate="firing"}) or vector(0)')).toEqual(['ALERTS']);
    expect(metricNamesIn('1.9e9 > 2 * 3600')).toEqual([]);
  });
});

describe('the repository queries', () => {
  it('are read from the rules and the dashboards', () => {
    expect(ruleQueries().length).toBeGreaterThan(20);
    expect(dashboardQueries().length).toBeGreaterThan(30);
    expect(dashboardQueries().every((q) => q.expr.length > 0)).toBe(true);
  });
});
