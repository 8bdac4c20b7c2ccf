using System.Text.Json;
using System.Text.Json.Nodes;
using MetricPipeline.Analysis.Impact;

namespace MetricPipeline.Detection;

/// <summary>The JSON stored in the alert's jsonb columns (and returned by the API as is): camelCase, as INTERFACE.md spells it.</summary>
public static class AlertJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Deployments(IReadOnlyList<CorrelatedDeployment> deployments) =>
        JsonSerializer.Serialize(deployments.Select(d => new { id = d.Id, service = d.Service, version = d.Version, kind = d.Kind, lagMinutes = d.LagMinutes }), Options);

    public static string? Effect(EffectEstimate? effect) =>
        effect is null || !double.IsFinite(effect.Relative) ? null
            : JsonSerializer.Serialize(new { relative = Round(effect.Relative), low = Round(effect.Low), high = Round(effect.High) }, Options);

    public static string Contributors(Contributors contributors) =>
        JsonSerializer.Serialize(
            new
            {
                children = contributors.Children.Select(c => new { metric = c.Metric, relativeChange = Round(c.RelativeChange) }),
                segments = contributors.Segments.Select(s => new { segment = s.Segment, share = Round(s.Share), relativeChange = Round(s.RelativeChange) }),
            },
            Options);

    /// <summary>Six decimals: enough for any display, and stable across re-runs so an unchanged shift compares equal.</summary>
    public static double Round(double value) => Math.Round(value, 6);

    /// <summary>
    /// Whether two JSON texts hold the same data, numbers equal within 1e-6. Postgres jsonb re-spaces and re-orders
    /// keys, so a stored column never equals a fresh serialisation as text.
    /// </summary>
    public static bool Same(string? a, string? b) =>
        a is null || b is null ? a == b : Same(JsonNode.Parse(a), JsonNode.Parse(b));

    private static bool Same(JsonNode? a, JsonNode? b) => (a, b) switch
    {
        (null, null) => true,
        (JsonObject x, JsonObject y) => x.Count == y.Count && x.All(p => y.TryGetPropertyValue(p.Key, out var v) && Same(p.Value, v)),
        (JsonArray x, JsonArray y) => x.Count == y.Count && x.Zip(y).All(p => Same(p.First, p.Second)),
        (JsonValue x, JsonValue y) when x.TryGetValue<double>(out var dx) && y.TryGetValue<double>(out var dy) => Math.Abs(dx - dy) <= 1e-6,
        (JsonValue x, JsonValue y) => x.ToJsonString() == y.ToJsonString(),
        _ => false,
    };
}
