using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MetricPipeline.Data.Entities;

namespace MetricPipeline.Data.Alerts;

/// <summary>
/// What an alert says beyond its numbers, as the detector found it: the deployments that line up with the change, the
/// effect estimate, the children and segments that carried it, and when it may have begun. Stored in the alert's jsonb
/// columns (<see cref="Alert.Deployments"/>, <see cref="Alert.Effect"/>, <see cref="Alert.Contributors"/>,
/// <see cref="Alert.Onset"/>) with <see cref="AlertPartsJsonContext"/>; the detector writes it, Slack messages and the
/// API read it.
/// </summary>
public sealed record AlertDetails(IReadOnlyList<DeploymentMatch> Deployments, EffectInterval? Effect, AlertContributors Contributors, OnsetInterval? Onset = null)
{
    /// <summary>
    /// The parts stored in <paramref name="alert"/>, read tolerantly because a message with less context beats no
    /// message: a missing or malformed column reads as empty, an item that lacks a field or has one of the wrong type is
    /// left out, unknown fields are ignored, numbers written as strings are read.
    /// </summary>
    public static AlertDetails Of(Alert alert) =>
        new(ReadDeployments(alert.Deployments), ReadEffect(alert.Effect), ReadContributors(alert.Contributors), ReadOnset(alert.Onset));

    /// <summary>
    /// Stores the parts in <paramref name="alert"/>'s columns, numbers to six decimals. JSON has no NaN or infinity: an
    /// effect or contributor with a non-finite number is not stored.
    /// </summary>
    public void WriteTo(Alert alert)
    {
        var json = AlertPartsJsonContext.Default;
        alert.Deployments = JsonSerializer.Serialize(Deployments, json.IReadOnlyListDeploymentMatch);
        alert.Effect = Effect is { } e && Finite(e.Relative, e.Low, e.High) ? JsonSerializer.Serialize(e, json.EffectInterval) : null;
        var contributors = new AlertContributors(
            [.. Contributors.Children.Where(c => Finite(c.RelativeChange))],
            [.. Contributors.Segments.Where(s => Finite(s.Share, s.RelativeChange))]);
        alert.Contributors = JsonSerializer.Serialize(contributors, json.AlertContributors);
        alert.Onset = Onset is null ? null : JsonSerializer.Serialize(Onset, json.OnsetInterval);
    }

    /// <summary>Same deployments, effect, contributors and onset, item by item.</summary>
    public bool Equals(AlertDetails? other) =>
        other is not null && Deployments.SequenceEqual(other.Deployments) && Effect == other.Effect && Contributors.Equals(other.Contributors) && Onset == other.Onset;

    public override int GetHashCode() => HashCode.Combine(Deployments.Count, Effect, Contributors, Onset);

    public static IReadOnlyList<DeploymentMatch> ReadDeployments(string? json)
    {
        using var document = Parse(json);
        return document?.RootElement is { ValueKind: JsonValueKind.Array } array
            ? Items(array, AlertPartsJsonContext.Default.DeploymentMatch)
            : [];
    }

    public static EffectInterval? ReadEffect(string? json)
    {
        using var document = Parse(json);
        return document?.RootElement is { ValueKind: JsonValueKind.Object } effect ? Item(effect, AlertPartsJsonContext.Default.EffectInterval) : null;
    }

    public static OnsetInterval? ReadOnset(string? json)
    {
        using var document = Parse(json);
        return document?.RootElement is { ValueKind: JsonValueKind.Object } onset
            && Item(onset, AlertPartsJsonContext.Default.OnsetInterval) is { } read && read.Earliest <= read.Latest
            ? read
            : null;
    }

    public static AlertContributors ReadContributors(string? json)
    {
        using var document = Parse(json);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root)
        {
            return AlertContributors.None;
        }

        return new AlertContributors(
            root.TryGetProperty("children", out var children) && children.ValueKind == JsonValueKind.Array ? Items(children, AlertPartsJsonContext.Default.ChildContribution) : [],
            root.TryGetProperty("segments", out var segments) && segments.ValueKind == JsonValueKind.Array ? Items(segments, AlertPartsJsonContext.Default.SegmentContribution) : []);
    }

    private static bool Finite(params ReadOnlySpan<double> values)
    {
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    private static List<T> Items<T>(JsonElement array, JsonTypeInfo<T> type) where T : class =>
        [.. array.EnumerateArray().Select(e => Item(e, type)).OfType<T>()];

    private static T? Item<T>(JsonElement element, JsonTypeInfo<T> type) where T : class
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return element.Deserialize(type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

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
}
