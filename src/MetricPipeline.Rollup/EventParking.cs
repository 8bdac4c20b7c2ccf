using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MetricPipeline.Contracts;
using MetricPipeline.Data;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MetricPipeline.Rollup;

/// <summary>
/// Rolls up a batch so that one event the database refuses cannot take the others with it. Ingest validates what
/// PostgreSQL would refuse, so this is the last line: when a write fails because of the data itself (SQLSTATE class
/// 22, data exception, or 54, program limit), the batch is halved until each refused event stands alone; every other
/// event is counted and each refused one is parked in <c>parked_events</c> with its reason and logged. A failure that
/// is not about the data (the database is down) still propagates, so the broker redelivers the messages.
/// </summary>
public sealed partial class EventParking(RollupProcessor processor, NpgsqlDataSource dataSource, ILogger<EventParking> logger)
{
    private static readonly Meter Meter = new("MetricPipeline.Rollup");
    private static readonly Counter<long> Parked = Meter.CreateCounter<long>("events_parked", "events");

    private static readonly JsonSerializerOptions PayloadJson = new()
    {
        // ASCII-only output: a NUL or an unpaired surrogate becomes an escape that the text column can hold.
        Encoder = JavaScriptEncoder.Default,
    };

    public async Task ProcessAsync(IReadOnlyList<TelemetryEvent> events, CancellationToken ct)
    {
        try
        {
            await processor.ProcessAsync(events, ct);
        }
        catch (Exception ex) when (RefusesTheData(ex) && events.Count > 1)
        {
            var half = events.Count / 2;
            await ProcessAsync([.. events.Take(half)], ct);
            await ProcessAsync([.. events.Skip(half)], ct);
        }
        catch (Exception ex) when (RefusesTheData(ex))
        {
            await ParkAsync(events[0], Reason(ex), ct);
        }
    }

    /// <summary>The database (or the driver, encoding the text) refused the values themselves, not the connection.</summary>
    public static bool RefusesTheData(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("54", StringComparison.Ordinal),
        EncoderFallbackException => true,
        UnstorableTextException => true,
        NpgsqlException { InnerException: { } inner } => RefusesTheData(inner),
        _ => false,
    };

    private static string Reason(Exception ex) => ex switch
    {
        PostgresException pg => $"PostgreSQL refused the event ({pg.SqlState}): {pg.MessageText}",
        NpgsqlException { InnerException: { } inner } => Reason(inner),
        UnstorableTextException => ex.Message,
        _ => $"the event's text cannot be encoded for PostgreSQL: {ex.Message}",
    };

    private async Task ParkAsync(TelemetryEvent e, string reason, CancellationToken ct)
    {
        string payload;
        try
        {
            payload = JsonSerializer.Serialize(e, PayloadJson);
        }
        catch (ArgumentException)
        {
            payload = $"{{\"id\":\"{e.Id}\",\"unserialisable\":true}}";
        }

        await ParkedEventStore.ParkAsync(dataSource, e.Id, reason, payload, ct);
        Parked.Add(1);
        LogParked(logger, e.Id, reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Parked event {EventId} in parked_events and counted the rest of its batch: {Reason}")]
    private static partial void LogParked(ILogger logger, Guid eventId, string reason);
}
