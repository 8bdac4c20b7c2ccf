using MetricPipeline.Data;
using MetricPipeline.Registry;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace MetricPipeline.Api;

public sealed record RegistryApplied(int Applied, IReadOnlyList<string> Created, IReadOnlyList<string> Updated);

/// <summary>
/// The metric registry: whole documents and single definitions. Every change is validated against
/// the stored registry first; any error refuses the whole change and nothing is written.
/// </summary>
public static class RegistryApi
{
    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/registry", ApplyDocumentAsync).RequireKey(KeyKind.Admin)
            .Accepts<RegistryDocument>("application/json", "application/yaml").ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapPut("/v1/metrics/{key}", PutMetricAsync).RequireKey(KeyKind.Admin)
            .Accepts<MetricDefinition>("application/json").ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapGet("/v1/metrics", async (MetricStore store, CancellationToken ct) =>
            TypedResults.Ok((await store.AllAsync(ct)).ConvertAll(Redacted)));
        app.MapGet("/v1/metrics/{key}", GetMetricAsync).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<MetricDefinition>, ProblemHttpResult>> GetMetricAsync(string key, MetricStore store, CancellationToken ct) =>
        await store.FindAsync(key, ct) is { } metric ? TypedResults.Ok(Redacted(metric)) : Problems.NotFound($"no metric '{key}' in the registry");

    private static async Task<Results<Ok<RegistryApplied>, ProblemHttpResult>> ApplyDocumentAsync(HttpRequest request, MetricStore store, CancellationToken ct)
    {
        using var body = new StreamReader(request.Body);
        var text = await body.ReadToEndAsync(ct);
        RegistryDocument document;
        try
        {
            document = RegistryDocumentReader.Read(text, request.ContentType);
        }
        catch (RegistryFormatException ex)
        {
            return Refuse(ex.Errors);
        }

        return await ApplyAsync(store, document.Metrics, ct);
    }

    private static async Task<Results<Ok<RegistryApplied>, ProblemHttpResult>> PutMetricAsync(string key, HttpRequest request, MetricStore store, CancellationToken ct)
    {
        using var body = new StreamReader(request.Body);
        var text = await body.ReadToEndAsync(ct);
        MetricDefinition definition;
        try
        {
            definition = RegistryDocumentReader.ReadDefinitionJson(text, key);
        }
        catch (RegistryFormatException ex)
        {
            return Refuse(ex.Errors);
        }

        return await ApplyAsync(store, [definition], ct);
    }

    private static async Task<Results<Ok<RegistryApplied>, ProblemHttpResult>> ApplyAsync(MetricStore store, IReadOnlyList<MetricDefinition> incoming, CancellationToken ct)
    {
        incoming = await KeepStoredWebhooksAsync(store, incoming, ct);
        var existing = await store.AllAsync(ct);
        var validation = RegistryValidator.Validate(existing, incoming);
        if (!validation.IsValid)
        {
            return Refuse(validation.Errors);
        }

        await store.ApplyAsync(incoming, ct);
        var known = existing.Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
        return TypedResults.Ok(new RegistryApplied(
            incoming.Count,
            [.. incoming.Where(m => !known.Contains(m.Key)).Select(m => m.Key)],
            [.. incoming.Where(m => known.Contains(m.Key)).Select(m => m.Key)]));
    }

    /// <summary>
    /// Reads need no key, so a per-metric Slack webhook (a secret) is never shown: it reads back as
    /// <c>"(set)"</c>. A definition written back with that placeholder keeps the stored webhook.
    /// </summary>
    private static MetricDefinition Redacted(MetricDefinition metric) =>
        metric.Alert.SlackWebhook is null ? metric : metric with { Alert = metric.Alert with { SlackWebhook = WebhookPlaceholder } };

    private const string WebhookPlaceholder = "(set)";

    private static async Task<IReadOnlyList<MetricDefinition>> KeepStoredWebhooksAsync(MetricStore store, IReadOnlyList<MetricDefinition> incoming, CancellationToken ct)
    {
        var result = new List<MetricDefinition>(incoming.Count);
        foreach (var metric in incoming)
        {
            if (metric.Alert.SlackWebhook == WebhookPlaceholder)
            {
                var stored = await store.FindAsync(metric.Key, ct);
                result.Add(metric with { Alert = metric.Alert with { SlackWebhook = stored?.Alert.SlackWebhook } });
            }
            else
            {
                result.Add(metric);
            }
        }

        return result;
    }

    private static ProblemHttpResult Refuse(IReadOnlyList<string> errors) =>
        Problems.BadRequest(
            errors.Count == 1 ? errors[0] : $"{errors.Count} problems, nothing was changed: " + string.Join("; ", errors),
            new Dictionary<string, object?> { ["errors"] = errors });
}
