using System.Globalization;
using MetricPipeline.Registry;
using Microsoft.AspNetCore.Http;

namespace MetricPipeline.Api;

/// <summary>
/// The query of <c>/series</c> and <c>/segments</c> read and checked in one place: grain, range and segment. Every
/// problem is an error message for a 400, never an exception: dates are held to a sane range, so aligning a bucket or
/// stepping back a default span cannot overflow <see cref="DateTime"/>.
/// </summary>
public sealed record SeriesQuery(Grain Grain, DateTime From, DateTime To, string Segment, IReadOnlyList<string> Include)
{
    /// <summary>No query date may be before this.</summary>
    public static readonly DateTime Earliest = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>No query date may be after this.</summary>
    public static readonly DateTime Latest = new(2200, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static bool TryParse(IQueryCollection query, MetricDefinition metric, DateTime now, out SeriesQuery parsed, out string? error)
    {
        parsed = null!;
        var grain = metric.Grain;
        if (query.TryGetValue("grain", out var g) && !RegistryNames.TryParse(g.ToString(), out grain))
        {
            error = $"grain '{g}' is not one of {string.Join(", ", RegistryNames.All<Grain>())}";
            return false;
        }

        if (!TryRange(query, now, DefaultSpan(grain), out var from, out var to, out error))
        {
            return false;
        }

        if (!SegmentQuery.TryParse(query["segment"].ToString(), metric, out var segment, out error))
        {
            return false;
        }

        var include = query["include"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        parsed = new SeriesQuery(grain, from, to, segment, include);
        return true;
    }

    /// <summary>How far back a query without <c>from</c> reaches.</summary>
    public static TimeSpan DefaultSpan(Grain grain) => grain switch
    {
        Grain.Hour => TimeSpan.FromDays(7),
        Grain.Day => TimeSpan.FromDays(90),
        _ => TimeSpan.FromDays(728),
    };

    /// <summary><c>from</c> and <c>to</c> (defaults: <paramref name="now"/>, and <paramref name="span"/> before <c>to</c>), both within [<see cref="Earliest"/>, <see cref="Latest"/>].</summary>
    public static bool TryRange(IQueryCollection query, DateTime now, TimeSpan span, out DateTime from, out DateTime to, out string? error)
    {
        from = default;
        to = now;
        if (query.TryGetValue("to", out var toText) && !TryTime("to", toText.ToString(), out to, out error))
        {
            return false;
        }

        if (query.TryGetValue("from", out var fromText))
        {
            if (!TryTime("from", fromText.ToString(), out from, out error))
            {
                return false;
            }
        }
        else
        {
            from = to - Earliest > span ? to - span : Earliest;
        }

        error = from < to ? null : $"'from' ({from:o}) must be before 'to' ({to:o})";
        return error is null;
    }

    private static bool TryTime(string name, string text, out DateTime utc, out string? error)
    {
        utc = default;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            error = $"'{name}' is not an ISO 8601 date-time: '{Clip(text)}'";
            return false;
        }

        utc = parsed.UtcDateTime;
        error = utc < Earliest || utc > Latest
            ? $"'{name}' ({utc:o}) is outside the supported range {Earliest:yyyy-MM-dd} to {Latest:yyyy-MM-dd}"
            : null;
        return error is null;
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
