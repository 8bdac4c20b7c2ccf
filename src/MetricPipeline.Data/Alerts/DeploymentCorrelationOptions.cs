namespace MetricPipeline.Data.Alerts;

/// <summary>
/// How far before a change a deployment may start and still be named as its likely cause: <c>Detector:CorrelationLag</c>.
/// The detector matches deployments with it (its <c>DetectorOptions</c> extend this class); Slack messages quote it when
/// no deployment lines up. One setting, so the message never names a window the detector did not search.
/// </summary>
public class DeploymentCorrelationOptions
{
    /// <summary>The configuration section holding <see cref="CorrelationLag"/> (the detector's).</summary>
    public const string Section = "Detector";

    /// <summary>How long before a change a deployment may start and still be named as its likely cause.</summary>
    public TimeSpan CorrelationLag { get; set; } = TimeSpan.FromHours(6);
}
