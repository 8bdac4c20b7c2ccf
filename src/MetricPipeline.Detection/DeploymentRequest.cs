using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MetricPipeline.Data.Entities;
using MetricPipeline.Registry;

namespace MetricPipeline.Detection;

/// <summary>
/// Reads and checks a <c>POST /v1/deployments</c> body. Every problem is reported, each saying what was wrong and
/// what to send instead; metric keys and products must exist in the registry, so a typo is refused rather than
/// silently scoping the deployment to nothing.
/// </summary>
public static partial class DeploymentRequest
{
    public static readonly string[] Kinds = ["model", "feature_flag", "config", "incident", "external"];

    /// <summary>How far in the future a start may lie (clock skew between CI runners and the server).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromHours(1);

    public static (Deployment? Deployment, List<string> Errors) Read(string body, IReadOnlyList<MetricDefinition> registry, DateTimeOffset now)
    {
        var errors = new List<string>();
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            errors.Add($"the body is not JSON: {e.Message}");
            return (null, errors);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("the body must be a JSON object such as {\"service\":\"ranker\",\"version\":\"2.3.0\",\"startedAt\":\"2026-11-20T10:00:00Z\"}");
            return (null, errors);
        }

        var service = Text(root, "service", required: true, errors);
        var version = Text(root, "version", required: true, errors);
        var kind = Text(root, "kind", required: false, errors) ?? "model";
        if (!Kinds.Contains(kind, StringComparer.Ordinal))
        {
            errors.Add($"\"kind\" '{kind}' is not one of {string.Join(", ", Kinds)}");
        }

        var description = Text(root, "description", required: false, errors);
        var startedAt = Time(root, "startedAt", required: true, errors);
        var endedAt = Time(root, "endedAt", required: false, errors);
        if (startedAt is { } s && s > now + MaxFutureSkew)
        {
            errors.Add($"\"startedAt\" {s:o} is more than {MaxFutureSkew.TotalHours:0} h in the future (server time {now:o}); tag a deployment when it starts");
        }

        if (startedAt is { } start && endedAt is { } end && end < start)
        {
            errors.Add($"\"endedAt\" {end:o} is before \"startedAt\" {start:o}");
        }

        var products = List(root, "products", errors);
        var metrics = List(root, "metrics", errors);
        var knownProducts = registry.Select(m => m.Product).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var product in products.Where(p => !knownProducts.Contains(p)))
        {
            errors.Add($"product '{product}' has no metrics in the registry (known products: {(knownProducts.Count == 0 ? "none" : string.Join(", ", knownProducts.Order()))})");
        }

        var knownMetrics = registry.Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var metric in metrics.Where(m => !knownMetrics.Contains(m)))
        {
            errors.Add($"metric '{metric}' is not in the registry; apply it first or fix the key");
        }

        if (service is { Length: > 200 } || version is { Length: > 200 })
        {
            errors.Add("\"service\" and \"version\" must be at most 200 characters");
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new Deployment
        {
            Id = Guid.CreateVersion7(),
            Service = service!,
            Version = version!,
            Kind = kind,
            StartedAt = startedAt!.Value,
            EndedAt = endedAt,
            Description = description,
            Products = [.. products.Distinct(StringComparer.Ordinal)],
            Metrics = [.. metrics.Distinct(StringComparer.Ordinal)],
            CreatedAt = now,
        }, errors);
    }

    private static string? Text(JsonElement root, string name, bool required, List<string> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add($"\"{name}\" is required");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"\"{name}\" must be a string");
            return null;
        }

        var text = value.GetString()!.Trim();
        if (required && text.Length == 0)
        {
            errors.Add($"\"{name}\" must not be empty");
            return null;
        }

        return text.Length == 0 ? null : text;
    }

    private static DateTimeOffset? Time(JsonElement root, string name, bool required, List<string> errors)
    {
        var text = Text(root, name, required, errors);
        if (text is null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            errors.Add($"\"{name}\" is not an ISO 8601 date-time: \"{text}\" (e.g. \"2026-11-20T10:00:00Z\")");
            return null;
        }

        if (!ZoneSuffix().IsMatch(text))
        {
            errors.Add($"\"{name}\" must carry a time zone (Z or ±hh:mm): \"{text}\"");
            return null;
        }

        return parsed.ToUniversalTime();
    }

    private static List<string> List(JsonElement root, string name, List<string> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            errors.Add($"\"{name}\" must be an array of strings");
            return [];
        }

        return [.. value.EnumerateArray().Select(v => v.GetString()!.Trim()).Where(v => v.Length > 0)];
    }

    [GeneratedRegex(@"(Z|z|[+-]\d{2}:?\d{2})$")]
    private static partial Regex ZoneSuffix();
}
