namespace MetricPipeline.Data.Entities;

/// <summary>
/// Single row whose <see cref="Version"/> increases on every registry change, so rollup workers
/// can tell in one cheap read whether their cached registry is stale.
/// </summary>
public sealed class RegistryState
{
    public int Id { get; set; } = 1;
    public long Version { get; set; }
}
