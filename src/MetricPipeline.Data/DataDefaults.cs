namespace MetricPipeline.Data;

public static class DataDefaults
{
    /// <summary>The local server that <c>deploy/local-services.sh</c> starts.</summary>
    public const string ConnectionString =
        "Host=127.0.0.1;Port=5432;Database=metricpipeline;Username=metricpipeline;Password=metricpipeline";
}
