using MassTransit;

namespace MetricPipeline.Detection;

/// <summary>Asks a process with the detector role to run one pass as of <see cref="AsOf"/> (UTC).</summary>
public sealed record RunDetectionPass(DateTime AsOf);

/// <summary>The answer to <see cref="RunDetectionPass"/>: what the pass did, and on which detector instance.</summary>
public sealed record DetectionPassRan(long RunId, int Nodes, IReadOnlyList<Guid> Opened, int Resolved, string Instance)
{
    /// <summary>The end of the newest bucket the pass read.</summary>
    public DateTime? ReadThrough { get; init; }

    /// <summary>The rollup's watermark the pass saw; null when no rollup worker has reported.</summary>
    public DateTime? RollupWatermark { get; init; }
}

/// <summary>
/// Runs an on-demand pass for the API role: the api process asks over the bus and only detector processes run
/// passes. Passes stay serialised by the pass's advisory lock, so a request and a scheduled fire never interleave.
/// </summary>
public sealed class RunDetectionPassConsumer(DetectionPass pass, DetectorInstance instance) : IConsumer<RunDetectionPass>
{
    public async Task Consume(ConsumeContext<RunDetectionPass> context)
    {
        var result = await PassTelemetry.TraceAsync(
            "on_demand", () => pass.RunAsync(DateTime.SpecifyKind(context.Message.AsOf, DateTimeKind.Utc), "on_demand", null, instance.Id, context.CancellationToken));
        await context.RespondAsync(new DetectionPassRan(result.RunId, result.Nodes, result.Opened, result.Resolved, instance.Id)
        {
            ReadThrough = result.ReadThrough,
            RollupWatermark = result.RollupWatermark,
        });
    }
}

public static class PassOverTheBusExtensions
{
    /// <summary>The detector role answers <see cref="RunDetectionPass"/>.</summary>
    public static void AddDetectorConsumers(this IBusRegistrationConfigurator bus) => bus.AddConsumer<RunDetectionPassConsumer>();
}
