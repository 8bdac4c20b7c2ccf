using MetricPipeline.Data;
using MetricPipeline.Registry;
using Npgsql;

namespace MetricPipeline.Rollup;

/// <summary>The worker's view of the registry, reloaded whenever the stored registry version moves.</summary>
public sealed class RegistryCache
{
    private volatile RegistrySnapshot current = RegistrySnapshot.Empty;

    public async Task<RegistrySnapshot> CurrentAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var version = await RollupStore.RegistryVersionAsync(connection, null, ct);
        if (current.Version == version)
        {
            return current;
        }

        // Two batches may reload at once after a change; both read the same committed registry.
        var loaded = new RegistrySnapshot(version, await LoadAsync(connection, ct));
        current = loaded;
        return loaded;
    }

    private static async Task<List<MetricDefinition>> LoadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT key, definition FROM metrics", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var definitions = new List<MetricDefinition>();
        while (await reader.ReadAsync(ct))
        {
            definitions.Add(MetricStore.Deserialize(new Data.Entities.MetricRecord
            {
                Key = reader.GetString(0),
                Definition = reader.GetString(1),
                Kind = "",
                Role = "",
            }));
        }

        return definitions;
    }
}
