using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using MetricPipeline.Data;
using MetricPipeline.Data.Entities;
using MetricPipeline.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace MetricPipeline.Api;

/// <summary>What a history request asks for, beyond the series: one flag per <c>include</c> value.</summary>
[Flags]
public enum HistoryIncludes
{
    None = 0,
    Decomposition = 1,
    ChangePoints = 2,
    Anomalies = 4,
    Deployments = 8,
}

/// <summary>One history answer's identity: the aligned range and everything else that changes its bytes.</summary>
public readonly record struct HistoryKey(string Metric, Grain Grain, string Segment, DateTime From, DateTime To, TimeSpan? Window, HistoryIncludes Include, bool Csv);

/// <summary>What an answer is made of: the definition it was read for, the values, the detector's findings and the deployments.</summary>
public sealed record HistorySource(MetricDefinition Metric, List<SeriesPoint> Points, List<DetectorFinding> Findings, List<DeploymentMarker> Deployments)
{
    /// <summary>The same answer would be written: same definition object (the registry did not change), values, findings and deployments.</summary>
    public bool SameAs(HistorySource other) =>
        ReferenceEquals(Metric, other.Metric)
        && Points.SequenceEqual(other.Points)
        && Findings.Select(f => f.Id).SequenceEqual(other.Findings.Select(f => f.Id))
        && Deployments.SequenceEqual(other.Deployments);
}

/// <summary>
/// A history answer ready to send: its bytes (JSON or CSV) and their entity tag, and the same bytes gzipped for clients
/// that accept it (compressed once, when first asked for).
/// </summary>
public sealed record HistoryAnswer(HistorySource Source, SeriesComponents? Decomposition, byte[] Body, string ContentType, EntityTagHeaderValue ETag)
{
    private readonly Lazy<byte[]> gzipped = new(() => Gzip(Body));

    public byte[] Gzipped => gzipped.Value;

    /// <summary>A representation of its own needs a tag of its own.</summary>
    public EntityTagHeaderValue GzippedETag { get; } = new(ETag.Tag.Value![..^1] + "-gzip\"");

    private static byte[] Gzip(byte[] body)
    {
        using var buffer = new MemoryStream(body.Length / 3);
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(body);
        }

        return buffer.ToArray();
    }
}

/// <summary>
/// Finished history answers, as bytes, per <see cref="HistoryKey"/>. An answer is sent as it is for
/// <see cref="HistoryOptions.FreshFor"/> after its sources were read; then one request reads them again (the others
/// wait for that read) and the answer is kept when nothing changed — values, the detector's findings (a new pass
/// writes new ones), deployments, the definition — rebuilt otherwise, with its decomposition computed again only when
/// the values changed. So a steady dashboard costs one read per answer and freshness period, and an answer is never
/// older than the period. At most <see cref="Capacity"/> answers of at most <see cref="MaxKeptPoints"/> points are
/// kept; the least recently used go first.
/// </summary>
public sealed class HistoryAnswers(SeriesReader reader, IServiceScopeFactory scopes, IOptions<HistoryOptions> options, IOptions<JsonOptions> json, TimeProvider clock)
{
    public const int Capacity = 256;

    /// <summary>Answers of more points than this (over a year of hours) are built for each request and not kept: with <see cref="Capacity"/> they bound the memory kept (bytes, gzipped bytes, values, decomposition: about 2.3 MB for 10,000 points) to about 600 MB.</summary>
    public const int MaxKeptPoints = 10_000;

    private readonly ConcurrentDictionary<HistoryKey, FreshValue<HistoryAnswer>> answers = new();

    public async Task<HistoryAnswer> GetAsync(HistoryKey key, MetricDefinition metric, IReadOnlyList<MetricDefinition> registry)
    {
        if (!options.Value.CacheAnswers || (key.To - key.From) / BucketGrain.Width(key.Grain) > MaxKeptPoints)
        {
            return await BuildAsync(key, metric, registry, previous: null);
        }

        if (!answers.TryGetValue(key, out var slot))
        {
            // Counting a concurrent dictionary takes all its locks: only when a key is added, never on a hit.
            slot = answers.GetOrAdd(key, _ => new FreshValue<HistoryAnswer>());
            if (answers.Count > Capacity)
            {
                Evict();
            }
        }

        return await slot.GetAsync(clock, options.Value.FreshFor, previous => BuildAsync(key, metric, registry, previous));
    }

    private async Task<HistoryAnswer> BuildAsync(HistoryKey key, MetricDefinition metric, IReadOnlyList<MetricDefinition> registry, HistoryAnswer? previous)
    {
        // Shared by every request waiting for it: no request's cancellation stops it.
        var ct = CancellationToken.None;
        var points = await reader.ReadAsync(metric, k => registry.FirstOrDefault(m => m.Key == k), key.Grain, key.From, key.To, key.Segment, key.Window, ct);
        var findings = new List<DetectorFinding>();
        var deployments = new List<DeploymentMarker>();
        if ((key.Include & (HistoryIncludes.ChangePoints | HistoryIncludes.Anomalies | HistoryIncludes.Deployments)) != 0)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MetricPipelineDbContext>();
            var from = new DateTimeOffset(key.From, TimeSpan.Zero);
            var to = new DateTimeOffset(key.To, TimeSpan.Zero);
            if ((key.Include & (HistoryIncludes.ChangePoints | HistoryIncludes.Anomalies)) != 0)
            {
                findings = await db.DetectorFindings.AsNoTracking()
                    .Where(f => f.MetricKey == key.Metric && f.Segment == key.Segment && f.StartAt >= from && f.StartAt < to)
                    .OrderBy(f => f.StartAt).ThenBy(f => f.Id)
                    .ToListAsync(ct);
            }

            if (key.Include.HasFlag(HistoryIncludes.Deployments))
            {
                deployments = HistoryMarkers.Deployments(await db.Deployments.AsNoTracking().Where(d => d.StartedAt >= from && d.StartedAt < to).ToListAsync(ct), metric, registry);
            }
        }

        var source = new HistorySource(metric, points, findings, deployments);
        if (previous is not null && previous.Source.SameAs(source))
        {
            return previous;
        }

        SeriesComponents? decomposition = null;
        if (key.Include.HasFlag(HistoryIncludes.Decomposition))
        {
            decomposition = previous?.Decomposition is { } kept && previous.Source.Points.SequenceEqual(points) ? kept : SeriesDecomposition.Of(points, key.Grain);
        }

        var body = key.Csv
            ? HistoryCsv.Write(points, decomposition)
            : JsonSerializer.SerializeToUtf8Bytes(Response(key, metric, source, decomposition), json.Value.SerializerOptions);
        var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12))}\"");
        return new HistoryAnswer(source, decomposition, body, key.Csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8", tag);
    }

    private static HistoryResponse Response(HistoryKey key, MetricDefinition metric, HistorySource source, SeriesComponents? decomposition)
    {
        var points = source.Points;
        var history = new List<HistoryPoint>(points.Count);
        for (var i = 0; i < points.Count; i++)
        {
            history.Add(new HistoryPoint(points[i].T, points[i].Value, decomposition?.Trend[i], decomposition?.Seasonal[i], decomposition?.Remainder[i]));
        }

        return new HistoryResponse(
            metric.Key, RegistryNames.Of(key.Grain), key.Segment, key.From, key.To, history,
            key.Include.HasFlag(HistoryIncludes.ChangePoints) ? HistoryMarkers.ChangePoints(source.Findings) : [],
            key.Include.HasFlag(HistoryIncludes.Anomalies) ? HistoryMarkers.Anomalies(source.Findings) : [],
            source.Deployments);
    }

    private void Evict()
    {
        foreach (var (key, _) in answers.OrderBy(e => e.Value.LastUsed).Take(answers.Count - (Capacity * 3 / 4)).ToList())
        {
            answers.TryRemove(key, out _);
        }
    }
}

/// <summary>The <c>History</c> configuration section.</summary>
public sealed class HistoryOptions
{
    /// <summary>Keep finished answers (default true); false builds every answer from scratch (to measure what the cache saves).</summary>
    public bool CacheAnswers { get; set; } = true;

    /// <summary>How long an answer (and the registry behind it) is sent without reading its sources again (default 1 s).</summary>
    public TimeSpan FreshFor { get; set; } = TimeSpan.FromSeconds(1);
}
