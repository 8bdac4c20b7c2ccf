using MetricPipeline.Registry;
using Npgsql;
using NpgsqlTypes;

namespace MetricPipeline.Data;

/// <summary>One point of a metric's history; <see cref="Value"/> is null where a ratio's denominator is zero.</summary>
public readonly record struct SeriesPoint(DateTime T, double? Value);

/// <summary>
/// Reads a metric's values per bucket from the hour buckets. Count and sum are summed (exact for days and
/// weeks); distinct users are the cardinality of the union of the hour sketches in the bucket (see
/// <see cref="UserSketch"/>); ratios divide numerator by denominator bucket by bucket. With a rolling
/// window each point covers the window that ends with its bucket (e.g. weekly active users per day).
/// Missing buckets are filled: zero for counts, sums and users; null for ratios.
/// </summary>
public sealed class SeriesReader(NpgsqlDataSource dataSource)
{
    public const int MaxPoints = 50_000;

    public Task<List<SeriesPoint>> ReadAsync(
        MetricDefinition metric, Func<string, MetricDefinition?> lookup, Grain grain, DateTime fromUtc, DateTime toUtc, string segment, CancellationToken ct) =>
        ReadAsync(metric, lookup, grain, fromUtc, toUtc, segment, window: null, ct);

    /// <param name="window">
    /// Null: each point is its own bucket. Otherwise a whole number of buckets: the point at bucket t covers
    /// [t + width − window, t + width), so <c>grain = day, window = 7 days</c> gives rolling 7-day values per day.
    /// </param>
    public async Task<List<SeriesPoint>> ReadAsync(
        MetricDefinition metric, Func<string, MetricDefinition?> lookup, Grain grain, DateTime fromUtc, DateTime toUtc, string segment,
        TimeSpan? window, CancellationToken ct)
    {
        var (from, to) = Align(fromUtc, toUtc, grain);
        var span = new Span(grain, from, to, window ?? BucketGrain.Width(grain));
        if (metric.Kind != MetricKind.Ratio)
        {
            return Fill(await ReadStoredAsync(metric, span, segment, ct), grain, from, to, 0.0);
        }

        var numerator = lookup(metric.Numerator!) ?? throw new InvalidOperationException($"ratio '{metric.Key}': numerator '{metric.Numerator}' is not in the registry");
        var denominator = lookup(metric.Denominator!) ?? throw new InvalidOperationException($"ratio '{metric.Key}': denominator '{metric.Denominator}' is not in the registry");
        var top = Fill(await ReadStoredAsync(numerator, span, segment, ct), grain, from, to, 0.0);
        var bottom = Fill(await ReadStoredAsync(denominator, span, segment, ct), grain, from, to, 0.0);
        var points = new List<SeriesPoint>(top.Count);
        for (var i = 0; i < top.Count; i++)
        {
            var d = bottom[i].Value ?? 0;
            points.Add(new SeriesPoint(top[i].T, d == 0 ? null : (top[i].Value ?? 0) / d));
        }

        return points;
    }

    /// <summary>Totals per segment over a range (ratios: total numerator over total denominator).</summary>
    public async Task<List<(string Segment, double? Total)>> SegmentTotalsAsync(
        MetricDefinition metric, Func<string, MetricDefinition?> lookup, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        if (metric.Kind != MetricKind.Ratio)
        {
            return [.. (await StoredTotalsAsync(metric, fromUtc, toUtc, ct)).Select(kv => (kv.Key, (double?)kv.Value))];
        }

        var top = await StoredTotalsAsync(lookup(metric.Numerator!)!, fromUtc, toUtc, ct);
        var bottom = await StoredTotalsAsync(lookup(metric.Denominator!)!, fromUtc, toUtc, ct);
        return [.. bottom.Keys.Union(top.Keys)
            .Where(s => s.Length == 0 || metric.Dimensions.Any(d => s.StartsWith(d + "=", StringComparison.Ordinal)))
            .Select(s => (s, bottom.GetValueOrDefault(s) is var d && d != 0 ? top.GetValueOrDefault(s) / d : (double?)null))];
    }

    private async Task<Dictionary<string, double>> StoredTotalsAsync(MetricDefinition metric, DateTime from, DateTime to, CancellationToken ct)
    {
        // Distinct users over the whole range: one union of every hour sketch in it.
        var sql = $"""
            SELECT segment, {Measure(metric)} FROM buckets
            WHERE metric_key = @m AND bucket_start >= @from AND bucket_start < @to
            GROUP BY segment
            """;
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("m", metric.Key);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("from", NpgsqlDbType.TimestampTz) { TypedValue = from });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("to", NpgsqlDbType.TimestampTz) { TypedValue = to });
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            totals[reader.GetString(0)] = reader.IsDBNull(1) ? 0 : reader.GetDouble(1);
        }

        return totals;
    }

    /// <summary>
    /// One value per bucket of the span. Without a window: one aggregate per bucket. With one: per-bucket
    /// partial aggregates (sums, or sketch unions) combined over a sliding frame of the window's length.
    /// </summary>
    private async Task<Dictionary<DateTime, double>> ReadStoredAsync(MetricDefinition metric, Span span, string segment, CancellationToken ct)
    {
        var bucket = span.Grain == Grain.Hour ? "bucket_start" : $"date_trunc('{(span.Grain == Grain.Day ? "day" : "week")}', bucket_start, 'UTC')";
        var width = BucketGrain.Width(span.Grain);
        var rolling = span.Window != width;
        var distinct = metric.Kind == MetricKind.DistinctUsers;
        var partial = distinct ? "hll_union_agg(users)" : $"sum({Column(metric)})::float8";
        var sql = rolling
            ? $"""
                SELECT t, v FROM (
                    SELECT t, {(distinct ? "hll_cardinality(hll_union_agg(p) OVER w)" : "sum(p) OVER w")} AS v FROM (
                        SELECT {bucket} AS t, {partial} AS p FROM buckets
                        WHERE metric_key = @m AND segment = @s AND bucket_start >= @wfrom AND bucket_start < @to
                        GROUP BY 1) per_bucket
                    WINDOW w AS (ORDER BY t RANGE BETWEEN @back PRECEDING AND CURRENT ROW)) rolled
                WHERE t >= @from
                """
            : $"""
                SELECT {bucket} AS t, {Measure(metric)} FROM buckets
                WHERE metric_key = @m AND segment = @s AND bucket_start >= @from AND bucket_start < @to
                GROUP BY 1
                """;
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("m", metric.Key);
        cmd.Parameters.AddWithValue("s", segment);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("from", NpgsqlDbType.TimestampTz) { TypedValue = span.From });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("to", NpgsqlDbType.TimestampTz) { TypedValue = span.To });
        if (rolling)
        {
            cmd.Parameters.Add(new NpgsqlParameter<DateTime>("wfrom", NpgsqlDbType.TimestampTz) { TypedValue = span.From + width - span.Window });
            cmd.Parameters.Add(new NpgsqlParameter<TimeSpan>("back", NpgsqlDbType.Interval) { TypedValue = span.Window - width });
        }

        var values = new Dictionary<DateTime, double>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            values[reader.GetFieldValue<DateTime>(0)] = reader.IsDBNull(1) ? 0 : reader.GetDouble(1);
        }

        return values;
    }

    /// <summary>The SQL aggregate of a stored metric over a group of hour buckets.</summary>
    private static string Measure(MetricDefinition metric) => metric.Kind == MetricKind.DistinctUsers
        ? "hll_cardinality(hll_union_agg(users))"
        : $"sum({Column(metric)})::float8";

    private static string Column(MetricDefinition metric) => metric.Kind switch
    {
        MetricKind.Count => "count",
        MetricKind.Sum => "sum",
        MetricKind.DistinctUsers => "users",
        _ => throw new InvalidOperationException($"'{metric.Key}' is a {metric.Kind} metric and has no stored buckets"),
    };

    private readonly record struct Span(Grain Grain, DateTime From, DateTime To, TimeSpan Window);

    /// <summary>Bucket-aligned [from, to): from rounded down, to rounded up to the grain.</summary>
    public static (DateTime From, DateTime To) Align(DateTime fromUtc, DateTime toUtc, Grain grain)
    {
        var from = BucketGrain.Start(fromUtc, grain);
        var to = BucketGrain.Start(toUtc, grain);
        if (to < toUtc)
        {
            to += BucketGrain.Width(grain);
        }

        return (from, to);
    }

    private static List<SeriesPoint> Fill(Dictionary<DateTime, double> values, Grain grain, DateTime from, DateTime to, double empty)
    {
        var width = BucketGrain.Width(grain);
        var points = new List<SeriesPoint>();
        for (var t = from; t < to; t += width)
        {
            points.Add(new SeriesPoint(t, values.TryGetValue(t, out var v) ? v : empty));
        }

        return points;
    }
}
