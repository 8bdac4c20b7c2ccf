using Npgsql;
using NpgsqlTypes;

namespace MetricPipeline.Data;

/// <summary>Writes and reads <c>parked_events</c>: accepted events that the database refused to store.</summary>
public static class ParkedEventStore
{
    public static async Task ParkAsync(NpgsqlDataSource dataSource, Guid eventId, string reason, string payload, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "INSERT INTO parked_events (event_id, reason, payload, parked_at) VALUES (@id, @reason, @payload, now())");
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", NpgsqlDbType.Uuid) { TypedValue = eventId });
        cmd.Parameters.Add(new NpgsqlParameter<string>("reason", NpgsqlDbType.Text) { TypedValue = reason });
        cmd.Parameters.Add(new NpgsqlParameter<string>("payload", NpgsqlDbType.Text) { TypedValue = payload });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
