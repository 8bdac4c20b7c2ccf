using MetricPipeline.Data;
using Microsoft.AspNetCore.Routing;
using MetricPipeline.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Api;

public static class ApiExtensions
{
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.AddScoped<MetricStore>();
        services.AddSingleton<SeriesReader>();
        services.AddSingleton<HistoryAnswers>();
        services.AddSingleton<RegistrySnapshot>();
        services.AddOptions<HistoryOptions>().BindConfiguration("History");
        services.AddOptions<DetectorRunOptions>().BindConfiguration("Api");
        services.AddOptions<WebhookPolicyOptions>().BindConfiguration("Slack");
        services.TryAddSingleton(sp => new WebhookPolicy(sp.GetRequiredService<IOptions<WebhookPolicyOptions>>().Value));
        return services;
    }

    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app) =>
        app.MapRegistryApi().MapTreeApi().MapHistoryApi().MapDeploymentsApi().MapAlertsApi().MapDetectorApi().MapDetectorStatusApi();
}
