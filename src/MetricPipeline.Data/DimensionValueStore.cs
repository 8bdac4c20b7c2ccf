using Npgsql;
using NpgsqlTypes;

namespace MetricPipeline.Data;

/// <summary>Admission of dimension values as segments, capped per (metric, dimension).</summary>
public static class DimensionValueStore
{
    /// <summary>All admitted values of one metric's dimension.</summary>
    public static async Task<List<string>> AdmittedAsync(NpgsqlConnection connection, string metricKey, string dimension, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT value FROM dimension_values WHERE metric_key = @m AND dimension = @d", connection);
        cmd.Parameters.AddWithValue("m", metricKey);
        cmd.Parameters.AddWithValue("d", dimension);
        var values = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>
    /// Admits as many of <paramref name="candidates"/> (in order) as the cap leaves room for, under a
    /// transaction-scoped advisory lock on (metric, dimension) so concurrent workers cannot overshoot
    /// the cap. Returns the full admitted set afterwards.
    /// </summary>
    public static async Task<List<string>> AdmitAsync(
        NpgsqlConnection connection, string metricKey, string dimension, IReadOnlyList<string> candidates, int cap, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@k, 0))", connection, tx))
        {
            lockCmd.Parameters.AddWithValue("k", metricKey + "\u001f" + dimension);
            await lockCmd.ExecuteNonQueryAsync(ct);
        }

        const string sql = """
            INSERT INTO dimension_values (metric_key, dimension, value, admitted_at)
            SELECT @m, @d, v, now()
            FROM unnest(@vals) WITH ORDINALITY AS t(v, o)
            WHERE NOT EXISTS (SELECT 1 FROM dimension_values x WHERE x.metric_key = @m AND x.dimension = @d AND x.value = t.v)
            ORDER BY o
            LIMIT GREATEST(0, @cap - (SELECT count(*) FROM dimension_values x WHERE x.metric_key = @m AND x.dimension = @d))
            ON CONFLICT DO NOTHING
            """;
        await using (var cmd = new NpgsqlCommand(sql, connection, tx))
        {
            cmd.Parameters.AddWithValue("m", metricKey);
            cmd.Parameters.AddWithValue("d", dimension);
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("vals", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. candidates] });
            cmd.Parameters.AddWithValue("cap", (long)cap);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        return await AdmittedAsync(connection, metricKey, dimension, ct);
    }
}
