using MetricPipeline.Registry;
using Npgsql;
using NpgsqlTypes;

namespace MetricPipeline.Data;

/// <summary>One point of a metric's history; <see cref="Value"/> is null where a ratio's denominator is zero.</summary>
public readonly record struct SeriesPoint(DateTime T, double? Value);

/// <summary>
/// Reads a metric's values per bucket. Count and sum are summed from hour buckets (exact for days and
/// weeks), distinct users are read at the grain asked for, ratios divide numerator by denominator
/// bucket by bucket. Missing buckets are filled: zero for counts, sums and users; null for ratios.
/// </summary>
public sealed class SeriesReader(NpgsqlDataSource dataSource)
{
    public const int MaxPoints = 50_000;

    public async Task<List<SeriesPoint>> ReadAsync(
        MetricDefinition metric, Func<string, MetricDefinition?> lookup, Grain grain, DateTime fromUtc, DateTime toUtc, string segment, CancellationToken ct)
    {
        var (from, to) = Align(fromUtc, toUtc, grain);
        if (metric.Kind != MetricKind.Ratio)
        {
            var raw = await ReadStoredAsync(metric, grain, from, to, segment, ct);
            return Fill(raw, grain, from, to, 0.0);
        }

        var numerator = lookup(metric.Numerator!) ?? throw new InvalidOperationException($"ratio '{metric.Key}': numerator '{metric.Numerator}' is not in the registry");
        var denominator = lookup(metric.Denominator!) ?? throw new InvalidOperationException($"ratio '{metric.Key}': denominator '{metric.Denominator}' is not in the registry");
        var top = Fill(await ReadStoredAsync(numerator, grain, from, to, segment, ct), grain, from, to, 0.0);
        var bottom = Fill(await ReadStoredAsync(denominator, grain, from, to, segment, ct), grain, from, to, 0.0);
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
        // Distinct users over a range are not the sum of buckets; the day grain is the documented approximation.
        var (grainCode, column) = Column(metric, metric.Kind == MetricKind.DistinctUsers ? Grain.Day : Grain.Hour);
        var sql = $"""
            SELECT segment, sum({column})::float8 FROM buckets
            WHERE metric_key = @m AND grain = @g AND bucket_start >= @from AND bucket_start < @to
            GROUP BY segment
            """;
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("m", metric.Key);
        cmd.Parameters.AddWithValue("g", grainCode);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("from", NpgsqlDbType.TimestampTz) { TypedValue = from });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("to", NpgsqlDbType.TimestampTz) { TypedValue = to });
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            totals[reader.GetString(0)] = reader.GetDouble(1);
        }

        return totals;
    }

    private async Task<Dictionary<DateTime, double>> ReadStoredAsync(MetricDefinition metric, Grain grain, DateTime from, DateTime to, string segment, CancellationToken ct)
    {
        var (grainCode, column) = Column(metric, grain);
        var bucket = metric.Kind == MetricKind.DistinctUsers || grain == Grain.Hour
            ? "bucket_start"
            : $"date_trunc('{(grain == Grain.Day ? "day" : "week")}', bucket_start, 'UTC')";
        var sql = $"""
            SELECT {bucket} AS t, sum({column})::float8 FROM buckets
            WHERE metric_key = @m AND grain = @g AND segment = @s AND bucket_start >= @from AND bucket_start < @to
            GROUP BY 1
            """;
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("m", metric.Key);
        cmd.Parameters.AddWithValue("g", grainCode);
        cmd.Parameters.AddWithValue("s", segment);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("from", NpgsqlDbType.TimestampTz) { TypedValue = from });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("to", NpgsqlDbType.TimestampTz) { TypedValue = to });
        var values = new Dictionary<DateTime, double>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            values[reader.GetFieldValue<DateTime>(0)] = reader.GetDouble(1);
        }

        return values;
    }

    private static (short Grain, string Column) Column(MetricDefinition metric, Grain grain) => metric.Kind switch
    {
        MetricKind.Count => (BucketGrain.Code(Grain.Hour), "count"),
        MetricKind.Sum => (BucketGrain.Code(Grain.Hour), "sum"),
        MetricKind.DistinctUsers => (BucketGrain.Code(grain), "users"),
        _ => throw new InvalidOperationException($"'{metric.Key}' is a {metric.Kind} metric and has no stored buckets"),
    };

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
