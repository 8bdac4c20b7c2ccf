using System.Threading.RateLimiting;
using MetricPipeline.Ingest.Segment;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Ingest;

public static class IngestExtensions
{
    /// <summary>Ingest's services: options, the parser, Segment-compatible ingest, and a per-key token-bucket rate limit.</summary>
    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection("Ingest"));
        services.AddOptions<SegmentOptions>().Bind(configuration.GetSection(SegmentOptions.Section))
            .Validate<IOptions<AuthOptions>>(
                (segment, auth) => segment.Sources.All(s => auth.Value.IngestKeys.Contains(s.WriteKey)),
                "every Segment__Sources__N__WriteKey must also be one of Auth__IngestKeys")
            .ValidateOnStart();
        services.AddSingleton(sp => new SegmentCallTranslator(sp.GetRequiredService<IOptions<SegmentOptions>>().Value));
        services.AddSingleton<SegmentIngest>();
        services.AddSingleton(sp => new EventParser(sp.GetRequiredService<IOptions<IngestOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(EventsApi.RateLimitPolicy, http =>
            {
                var perSecond = http.RequestServices.GetRequiredService<IOptions<IngestOptions>>().Value.RequestsPerSecond;
                return RateLimitPartition.GetTokenBucketLimiter(
                    http.Request.Headers.Authorization.ToString(),
                    _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = perSecond * 2,
                        TokensPerPeriod = perSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            limiter.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                await Problems.TooManyRequests("over the ingest rate limit for this key; retry after 1 second")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }
}
