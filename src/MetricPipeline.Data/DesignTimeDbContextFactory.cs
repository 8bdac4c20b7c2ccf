using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MetricPipeline.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running server.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<MetricPipelineDbContext>
{
    public MetricPipelineDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<MetricPipelineDbContext>()
            .UseNpgsql(DataDefaults.ConnectionString)
            .Options;
        return new MetricPipelineDbContext(options);
    }
}
