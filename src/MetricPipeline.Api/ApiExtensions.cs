using MetricPipeline.Data;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MetricPipeline.Api;

public static class ApiExtensions
{
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.AddScoped<MetricStore>();
        services.AddSingleton<SeriesReader>();
        services.AddSingleton<HistoryAnalysisCache>();
        services.AddOptions<HistoryOptions>().BindConfiguration("History");
        return services;
    }

    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app) =>
        app.MapRegistryApi().MapTreeApi().MapHistoryApi();
}
