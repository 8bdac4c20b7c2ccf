using Quartz;

namespace MetricPipeline.Detection;

/// <summary>
/// The scheduled detection pass. The trigger lives in Quartz's clustered Postgres job store, so each fire runs on one
/// instance of the cluster; <see cref="DisallowConcurrentExecutionAttribute"/> keeps a slow pass from overlapping the
/// next fire, cluster-wide.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DetectionJob(DetectionPass pass, DetectorInstance instance, TimeProvider clock) : IJob
{
    public static readonly JobKey Key = new("detection-pass", "detector");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        DateTimeOffset? scheduled = context.ScheduledFireTimeUtc;
        await PassTelemetry.TraceAsync("scheduled", () => pass.RunAsync(clock.GetUtcNow().UtcDateTime, "scheduled", scheduled, instance.Id, cancellationToken));
    }
}

/// <summary>This process's name in the detector cluster (also its Quartz instance id).</summary>
public sealed record DetectorInstance(string Id)
{
    public static DetectorInstance ForThisProcess() => new($"{Environment.MachineName}-{Environment.ProcessId}");
}
