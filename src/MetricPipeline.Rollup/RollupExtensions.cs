using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Rollup;

public static class RollupExtensions
{
    /// <summary>The rollup worker's services; <see cref="AddRollupConsumers"/> adds its consumer to the bus.</summary>
    public static IServiceCollection AddRollup(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RollupOptions>().Bind(configuration.GetSection("Rollup"));
        services.AddSingleton<RegistryCache>();
        services.AddSingleton(sp => new SegmentCatalog(sp.GetRequiredService<IOptions<RollupOptions>>().Value.MaxSegmentValues));
        services.AddSingleton(sp => new RecentClaims(sp.GetRequiredService<IOptions<RollupOptions>>().Value.RecentClaimsPerGeneration));
        services.AddSingleton<RollupProcessor>();
        services.AddSingleton<EventParking>();
        services.AddHostedService<PartitionMaintenance>();
        services.AddSingleton<RollupProgress>();
        services.AddHostedService<RollupWatermarkReporter>();
        return services;
    }

    public static void AddRollupConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<EventsAcceptedConsumer, EventsAcceptedConsumerDefinition>();
}
