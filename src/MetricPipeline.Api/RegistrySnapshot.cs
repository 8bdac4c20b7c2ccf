using MetricPipeline.Data;
using MetricPipeline.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Api;

/// <summary>
/// The registry as the history endpoint sees it: kept in memory and checked against the registry version at most once
/// per <see cref="HistoryOptions.FreshFor"/>; re-read only when the version moved, so the definitions (and the answers
/// cached for them) stay the same objects while the registry does not change. A caller that does not find what it
/// needs asks for <see cref="ReloadAsync"/> before it answers 404 or 400, so a metric added a moment ago is found.
/// </summary>
public sealed class RegistrySnapshot(IServiceScopeFactory scopes, IOptions<HistoryOptions> options, TimeProvider clock)
{
    private readonly FreshValue<Snapshot> current = new();

    public async Task<IReadOnlyList<MetricDefinition>> GetAsync() =>
        (await current.GetAsync(clock, options.Value.FreshFor, ReadAsync)).Metrics;

    public async Task<IReadOnlyList<MetricDefinition>> ReloadAsync()
    {
        current.Invalidate();
        return await GetAsync();
    }

    private async Task<Snapshot> ReadAsync(Snapshot? previous)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MetricPipelineDbContext>();
        var version = await db.RegistryState.AsNoTracking().Where(s => s.Id == 1).Select(s => s.Version).SingleAsync();
        if (previous is not null && previous.Version == version)
        {
            return previous;
        }

        // The version is read before the definitions: a write in between only makes the next check read them again.
        return new Snapshot(version, await scope.ServiceProvider.GetRequiredService<MetricStore>().AllAsync(CancellationToken.None));
    }

    private sealed record Snapshot(long Version, List<MetricDefinition> Metrics);
}
