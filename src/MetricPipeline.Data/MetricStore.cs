using System.Text.Json;
using MetricPipeline.Data.Entities;
using MetricPipeline.Registry;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.Data;

/// <summary>Reads and writes the metric registry. Writes bump the registry version in the same transaction.</summary>
public sealed class MetricStore(MetricPipelineDbContext db)
{
    public async Task<List<MetricDefinition>> AllAsync(CancellationToken ct)
    {
        var rows = await db.Metrics.AsNoTracking().OrderBy(m => m.Key).ToListAsync(ct);
        return rows.ConvertAll(Deserialize);
    }

    public async Task<MetricDefinition?> FindAsync(string key, CancellationToken ct)
    {
        var row = await db.Metrics.AsNoTracking().SingleOrDefaultAsync(m => m.Key == key, ct);
        return row is null ? null : Deserialize(row);
    }

    /// <summary>Adds or replaces the given definitions atomically. Validation is the caller's job.</summary>
    public async Task ApplyAsync(IReadOnlyCollection<MetricDefinition> definitions, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Serialise registry writers: validation against "existing" must see a stable registry.
        await db.Database.ExecuteSqlRawAsync("SELECT 1 FROM registry_state WHERE id = 1 FOR UPDATE", ct);
        var keys = definitions.Select(d => d.Key).ToList();
        var existing = await db.Metrics.Where(m => keys.Contains(m.Key)).ToDictionaryAsync(m => m.Key, ct);
        var now = DateTimeOffset.UtcNow;
        foreach (var definition in definitions)
        {
            var json = JsonSerializer.Serialize(definition, RegistryJson.SerializerOptions);
            if (existing.TryGetValue(definition.Key, out var row))
            {
                row.Definition = json;
                row.Kind = definition.Kind.ToString();
                row.Role = definition.Role.ToString();
                row.Product = definition.Product;
                row.UpdatedAt = now;
            }
            else
            {
                db.Metrics.Add(new MetricRecord
                {
                    Key = definition.Key,
                    Definition = json,
                    Kind = definition.Kind.ToString(),
                    Role = definition.Role.ToString(),
                    Product = definition.Product,
                    UpdatedAt = now,
                });
            }
        }

        await db.SaveChangesAsync(ct);
        await db.Database.ExecuteSqlRawAsync("UPDATE registry_state SET version = version + 1 WHERE id = 1", ct);
        await tx.CommitAsync(ct);
    }

    public static MetricDefinition Deserialize(MetricRecord row) =>
        JsonSerializer.Deserialize<MetricDefinition>(row.Definition, RegistryJson.SerializerOptions)
        ?? throw new InvalidDataException($"stored definition of '{row.Key}' is empty");
}
