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
            .Accepts<RegistryDocument>("application/json", "application/yaml")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        app.MapPut("/v1/metrics/{key}", PutMetricAsync).RequireKey(KeyKind.Admin)
            .Accepts<MetricDefinition>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        app.MapGet("/v1/metrics", async (MetricStore store, CancellationToken ct) =>
            TypedResults.Ok((await store.AllAsync(ct)).ConvertAll(Redacted)));
        app.MapGet("/v1/metrics/{key}", GetMetricAsync).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<MetricDefinition>, ProblemHttpResult>> GetMetricAsync(string key, MetricStore store, CancellationToken ct) =>
        await store.FindAsync(key, ct) is { } metric ? TypedResults.Ok(Redacted(metric)) : Problems.NotFound($"no metric '{key}' in the registry");

    private static readonly string[] YamlTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

    private static async Task<Results<Ok<RegistryApplied>, ProblemHttpResult>> ApplyDocumentAsync(HttpRequest request, MetricStore store, WebhookPolicy webhooks, CancellationToken ct)
    {
        if (!RequestBody.Declares(request, [.. YamlTypes, "application/json"]))
        {
            return Problems.UnsupportedMediaType(
                $"Content-Type '{request.ContentType}' is not a registry document type: send application/yaml or application/json");
        }

        if (await RequestBody.ReadTextAsync(request, RegistryLimits.MaxDocumentBytes, ct) is not { } text)
        {
            return TooLarge();
        }

        RegistryDocument document;
        try
        {
            document = RegistryDocumentReader.Read(text, request.ContentType);
        }
        catch (RegistryFormatException ex)
        {
            return Refuse(ex.Errors);
        }

        return await ApplyAsync(store, webhooks, document.Metrics, ct);
    }

    private static async Task<Results<Ok<RegistryApplied>, ProblemHttpResult>> PutMetricAsync(string key, HttpRequest request, MetricStore store, WebhookPolicy webhooks, CancellationToken ct)
    {
        if (!RequestBody.Declares(request, "application/json"))
        {
            return Problems.UnsupportedMediaType($"Content-Type '{request.ContentType}' is not JSON: send the definition as application/json");
        }

        if (await RequestBody.ReadTextAsync(request, RegistryLimits.MaxDocumentBytes, ct) is not { } text)
        {
            return TooLarge();
        }

        MetricDefinition definition;
        try
        {
            definition = RegistryDocumentReader.ReadDefinitionJson(text, key);
        }
        catch (RegistryFormatException ex)
        {
            return Refuse(ex.Errors);
        }

        return await ApplyAsync(store, webhooks, [definition], ct);
    }

    private static async Task<Results<Ok<RegistryApplied>, ProblemHttpResult>> ApplyAsync(MetricStore store, WebhookPolicy webhooks, IReadOnlyList<MetricDefinition> incoming, CancellationToken ct)
    {
        incoming = await KeepStoredWebhooksAsync(store, incoming, ct);
        var existing = await store.AllAsync(ct);
        var validation = RegistryValidator.Validate(existing, incoming);
        var webhookErrors = incoming
            .Where(m => m.Alert.SlackWebhook is not null && m.Alert.SlackWebhook != WebhookPlaceholder)
            .Select(m => webhooks.Problem(m.Alert.SlackWebhook!) is { } problem ? $"metric '{m.Key}': 'alert.slackWebhook' {problem}" : null)
            .OfType<string>()
            .ToList();
        if (!validation.IsValid || webhookErrors.Count > 0)
        {
            return Refuse([.. validation.Errors, .. webhookErrors]);
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

    private static ProblemHttpResult TooLarge() =>
        Problems.TooLarge($"the document is over the limit of {RegistryLimits.MaxDocumentBytes} bytes: split it into several documents");

    private static ProblemHttpResult Refuse(IReadOnlyList<string> errors) =>
        Problems.BadRequest(
            errors.Count == 1 ? errors[0] : $"{errors.Count} problems, nothing was changed: " + string.Join("; ", errors),
            new Dictionary<string, object?> { ["errors"] = errors });
}
