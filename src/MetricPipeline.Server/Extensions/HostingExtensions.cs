using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using MetricPipeline.Data;
using MetricPipeline.Detection;
using MetricPipeline.Rollup;
using MetricPipeline.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Prometheus;

namespace MetricPipeline.Server.Extensions;

public static class HostingExtensions
{
    public static void UseDefaultUrl(this WebApplicationBuilder builder, string url)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(url);
        }
    }

    public static void AddServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection("Auth"));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDetailText.Fill);
        // Registry enums travel as snake_case names (north_star, distinct_users), as in the registry document.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)));
        builder.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);
    }

    public static void AddDataAccess(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("Postgres") ?? DataDefaults.ConnectionString;
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        builder.Services.AddDbContext<MetricPipelineDbContext>((sp, options) => options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
    }

    public static void AddMessageBus(this WebApplicationBuilder builder, ServerRoles roles)
    {
        var transport = builder.Configuration["Bus:Transport"] ?? "RabbitMq";
        builder.Services.AddMassTransit(bus =>
        {
            if (roles.Worker)
            {
                bus.AddRollupConsumers();
            }

            if (roles.Detector)
            {
                bus.AddDetectorConsumers();
            }

            if (roles.Api)
            {
                bus.AddRequestClient<RunDetectionPass>();
            }

            if (string.Equals(transport, "InMemory", StringComparison.OrdinalIgnoreCase))
            {
                bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
            else if (string.Equals(transport, "RabbitMq", StringComparison.OrdinalIgnoreCase))
            {
                var uri = new Uri(builder.Configuration.GetConnectionString("RabbitMq") ?? "amqp://guest:guest@localhost:5672/");
                bus.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(uri, h => h.PublisherConfirmation = true);
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                throw new InvalidOperationException($"Bus:Transport '{transport}' is not RabbitMq or InMemory");
            }
        });
        builder.Services.Configure<HealthCheckServiceOptions>(o =>
        {
            foreach (var registration in o.Registrations.Where(r => r.Name.Contains("masstransit", StringComparison.OrdinalIgnoreCase)))
            {
                registration.Tags.Add("ready");
            }
        });
    }

    /// <summary>Applies EF Core migrations (Npgsql takes a database lock, so concurrent starts are safe).</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MetricPipelineDbContext>();
        await db.Database.MigrateAsync();
    }

    public static void UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseUrlTextCheck();
        app.UseHttpMetrics();
    }

    public static void MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        // Ready means Postgres and RabbitMQ reachable: a bus that lost its broker reports Degraded, which is not ready.
        app.MapHealthChecks("/readyz", new()
        {
            Predicate = r => r.Tags.Contains("ready"),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        app.MapMetrics("/metrics");
    }
}
