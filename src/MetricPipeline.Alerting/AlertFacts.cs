using System.Globalization;
using System.Text.Json;
using MetricPipeline.Data.Entities;

namespace MetricPipeline.Alerting;

/// <summary>A deployment that lines up with the change: it started <see cref="LagMinutes"/> before it.</summary>
public sealed record CorrelatedDeployment(string? Id, string Service, string Version, string? Kind, double? LagMinutes);

/// <summary>Estimated effect as a relative change with an interval <c>[Low, High]</c>.</summary>
public sealed record EffectEstimate(double Relative, double? Low, double? High);

/// <summary>A child metric that moved with the alerting metric.</summary>
public sealed record ChildContribution(string Metric, double? RelativeChange);

/// <summary>A segment and its share of the total change (0.72 = 72 % of it).</summary>
public sealed record SegmentContribution(string Segment, double? Share, double? RelativeChange);

/// <summary>
/// The alert's JSON columns read into records. The detector writes them; this side reads them
/// tolerantly (unknown fields ignored, a missing or malformed part becomes empty) because a
/// message with less context is better than no message.
/// </summary>
public sealed record AlertFacts(
    IReadOnlyList<CorrelatedDeployment> Deployments,
    EffectEstimate? Effect,
    IReadOnlyList<ChildContribution> Children,
    IReadOnlyList<SegmentContribution> Segments)
{
    public static AlertFacts From(Alert alert) =>
        new(ReadDeployments(alert.Deployments), ReadEffect(alert.Effect), ReadChildren(alert.Contributors), ReadSegments(alert.Contributors));

    private static List<CorrelatedDeployment> ReadDeployments(string? json)
    {
        var list = new List<CorrelatedDeployment>();
        using var doc = Parse(json);
        if (doc?.RootElement is not { ValueKind: JsonValueKind.Array } array)
        {
            return list;
        }

        foreach (var item in array.EnumerateArray())
        {
            var service = Text(item, "service");
            if (service is null)
            {
                continue;
            }

            list.Add(new CorrelatedDeployment(Text(item, "id"), service, Text(item, "version") ?? "?", Text(item, "kind"), Number(item, "lagMinutes")));
        }

        return list;
    }

    private static EffectEstimate? ReadEffect(string? json)
    {
        using var doc = Parse(json);
        if (doc?.RootElement is not { ValueKind: JsonValueKind.Object } effect || Number(effect, "relative") is not { } relative)
        {
            return null;
        }

        return new EffectEstimate(relative, Number(effect, "low"), Number(effect, "high"));
    }

    private static List<ChildContribution> ReadChildren(string? json)
    {
        var list = new List<ChildContribution>();
        using var doc = Parse(json);
        foreach (var item in Items(doc, "children"))
        {
            if (Text(item, "metric") is { } metric)
            {
                list.Add(new ChildContribution(metric, Number(item, "relativeChange")));
            }
        }

        return list;
    }

    private static List<SegmentContribution> ReadSegments(string? json)
    {
        var list = new List<SegmentContribution>();
        using var doc = Parse(json);
        foreach (var item in Items(doc, "segments"))
        {
            if (Text(item, "segment") is { } segment)
            {
                list.Add(new SegmentContribution(segment, Number(item, "share"), Number(item, "relativeChange")));
            }
        }

        return list;
    }

    private static List<JsonElement> Items(JsonDocument? doc, string name) =>
        doc?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).ToList()
            : [];

    private static JsonDocument? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            }
            : null;

    private static double? Number(JsonElement item, string name)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty(name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d))
        {
            return d;
        }

        return v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s)
            ? s
            : null;
    }
}
