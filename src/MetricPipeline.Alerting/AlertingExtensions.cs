using MetricPipeline.Data.Alerts;
using MetricPipeline.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Alerting;

public static class AlertingExtensions
{
    /// <summary>Where links point when neither <c>Slack:DashboardBaseUrl</c> nor <c>urls</c> is set: the server's default address.</summary>
    public const string DefaultDashboardBaseUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Slack delivery of alerts: options from the <c>Slack</c> section, the webhook client, the outbox
    /// dispatcher and its <see cref="SlackOutboxSignal"/>. Expects an <c>NpgsqlDataSource</c> and the
    /// <c>MetricPipelineDbContext</c> to be registered (the server's data access does that).
    /// </summary>
    public static IServiceCollection AddAlerting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SlackOptions>()
            .Bind(configuration.GetSection(SlackOptions.Section))
            .PostConfigure(o => o.DashboardBaseUrl = string.IsNullOrWhiteSpace(o.DashboardBaseUrl) ? OwnUrl(configuration["urls"]) : o.DashboardBaseUrl)
            .Validate(o => o.MaxAttempts >= 1, "Slack:MaxAttempts must be at least 1")
            .Validate(o => o.BatchSize is >= 1 and <= 1000, "Slack:BatchSize must be between 1 and 1000")
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Slack:PollInterval must be positive, e.g. 00:00:01")
            .Validate(o => o.AttemptTimeout > TimeSpan.Zero, "Slack:AttemptTimeout must be positive, e.g. 00:00:10")
            .Validate(o => o.BaseBackoff > TimeSpan.Zero && o.MaxBackoff >= o.BaseBackoff, "Slack:BaseBackoff must be positive and at most Slack:MaxBackoff")
            .Validate(o => Uri.TryCreate(o.DashboardBaseUrl, UriKind.Absolute, out _), "Slack:DashboardBaseUrl must be an absolute URL, e.g. https://metrics.example.com")
            .Validate(o => !o.AppMode || !string.IsNullOrWhiteSpace(o.Channel), "Slack:BotToken is set but Slack:Channel is not: name the default channel (Slack__Channel), e.g. C0123456789")
            .Validate(o => Uri.TryCreate(o.ApiBaseUrl, UriKind.Absolute, out _), "Slack:ApiBaseUrl must be an absolute URL, e.g. https://slack.com/api/")
            .Validate(o => o.SignatureWindow > TimeSpan.Zero, "Slack:SignatureWindow must be positive, e.g. 00:05:00")
            .ValidateOnStart();

        // The detector's deployment look-back, quoted by a message that names no deployment.
        services.AddOptions<DeploymentCorrelationOptions>().Bind(configuration.GetSection(DeploymentCorrelationOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SlackOutboxSignal>();
        services.AddOptions<WebhookPolicyOptions>().Bind(configuration.GetSection(SlackOptions.Section));
        services.TryAddSingleton(sp => new WebhookPolicy(sp.GetRequiredService<IOptions<WebhookPolicyOptions>>().Value));

        // The factory's default handlers log each request's URL at Information: the webhook URL is a secret.
        services.AddHttpClient<SlackWebhookClient>((sp, http) =>
            {
                // The client cancels each attempt itself; this is only a backstop above it.
                http.Timeout = sp.GetRequiredService<IOptions<SlackOptions>>().Value.AttemptTimeout + TimeSpan.FromSeconds(5);
            })
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookConnections.Handler(sp.GetRequiredService<WebhookPolicy>()))
            .RemoveAllLoggers();

        // The token travels in a header, never in the URL; still, no request logging for these calls either.
        services.AddHttpClient<SlackWebApiClient>((sp, http) =>
            {
                http.Timeout = sp.GetRequiredService<IOptions<SlackOptions>>().Value.AttemptTimeout + TimeSpan.FromSeconds(5);
            })
            .RemoveAllLoggers();

        services.AddSingleton<SlackOutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<SlackOutboxDispatcher>());
        services.AddSingleton<SlackAppSyncDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<SlackAppSyncDispatcher>());
        return services;
    }

    /// <summary>The first of the server's <c>urls</c>, with a wildcard host (<c>+</c>, <c>*</c>, <c>0.0.0.0</c>) read as localhost.</summary>
    private static string OwnUrl(string? urls)
    {
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(first))
        {
            return DefaultDashboardBaseUrl;
        }

        foreach (var wildcard in new[] { "://+", "://*", "://0.0.0.0", "://[::]" })
        {
            first = first.Replace(wildcard, "://localhost", StringComparison.Ordinal);
        }

        return first.TrimEnd('/');
    }
}
