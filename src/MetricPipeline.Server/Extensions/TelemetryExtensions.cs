using MetricPipeline.Detection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MetricPipeline.Server.Extensions;

/// <summary>
/// OpenTelemetry traces and metrics over OTLP, beside the Prometheus <c>/metrics</c>, when an endpoint is configured
/// with the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (and optionally <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>,
/// <c>OTEL_SERVICE_NAME</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>). Traces: HTTP requests (ingest, API), MassTransit's
/// publish and consume (ingest to rollup), Npgsql's statements, and each detection pass. Metrics: the ingest, rollup
/// and detection meters, MassTransit's, and ASP.NET Core's request metrics. Without an endpoint nothing is collected.
/// </summary>
public static class TelemetryExtensions
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void AddOpenTelemetryExport(this WebApplicationBuilder builder, ServerRoles roles)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[EndpointVariable]))
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService("metricpipeline", serviceInstanceId: DetectorInstance.ForThisProcess().Id)
                .AddAttributes([new KeyValuePair<string, object>("metricpipeline.roles", roles.ToString())]))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics") && !http.Request.Path.StartsWithSegments("/healthz"))
                .AddSource("MassTransit", "Npgsql", PassTelemetry.Name)
                .AddOtlpExporter())
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter("MetricPipeline.Ingest", "MetricPipeline.Rollup", PassTelemetry.Name, "MassTransit")
                .AddOtlpExporter());
    }
}
