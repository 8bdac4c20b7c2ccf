namespace MetricPipeline.Rollup;

/// <summary>
/// What this worker process vouches for: the accept time (<c>EventsAccepted.AcceptedAt</c>, stamped by ingest before
/// the broker confirms) up to which every message it was handed is rolled up. Updated per batch in memory (a lock
/// and a dictionary entry, nothing on the database); <see cref="RollupWatermarkReporter"/> writes it out.
/// </summary>
/// <remarks>
/// The rollup queue delivers in arrival order, so messages not yet handed to a batch were accepted after those that
/// were (up to the seconds ingest may take to publish, and clock skew between ingest hosts: the settle delay, minutes,
/// absorbs both). Hence:
/// <list type="bullet">
/// <item>batches in flight: the oldest accept time among them — nothing older is unfinished;</item>
/// <item>none in flight, and none finished for <see cref="RollupOptions.WatermarkQuietPeriod"/> while the rollup
/// endpoint is connected: the queue had nothing to deliver, so everything accepted up to that quiet period ago is in
/// (a connected consumer with free prefetch is handed a ready message within milliseconds);</item>
/// <item>otherwise (between batches): the newest accept time of the batches committed so far.</item>
/// </list>
/// A batch that failed holds the watermark at its oldest accept time for <see cref="FailedHold"/>: it is retried
/// (200 ms to 15 s apart) and must not be overtaken meanwhile.
/// </remarks>
public sealed class RollupProgress(TimeProvider clock)
{
    /// <summary>Longer than the consumer's retry intervals together (about 21 s).</summary>
    public static readonly TimeSpan FailedHold = TimeSpan.FromSeconds(30);

    private readonly Lock gate = new();
    private readonly Dictionary<long, InFlight> inFlight = [];
    private long next;
    private DateTime? committedUpTo;
    private DateTime quietSince = clock.GetUtcNow().UtcDateTime;

    /// <summary>A batch whose oldest message was accepted at <paramref name="oldestAccepted"/> starts; returns its ticket.</summary>
    public long Begin(DateTime oldestAccepted)
    {
        lock (gate)
        {
            var ticket = ++next;
            inFlight[ticket] = new InFlight(oldestAccepted, null);
            return ticket;
        }
    }

    /// <summary>The batch committed; its newest message was accepted at <paramref name="newestAccepted"/>.</summary>
    public void Committed(long ticket, DateTime newestAccepted)
    {
        lock (gate)
        {
            inFlight.Remove(ticket);
            committedUpTo = committedUpTo is { } c && c > newestAccepted ? c : newestAccepted;
            quietSince = clock.GetUtcNow().UtcDateTime;
        }
    }

    /// <summary>The batch failed; it will be retried, so it holds the watermark a while longer.</summary>
    public void Failed(long ticket)
    {
        lock (gate)
        {
            if (inFlight.TryGetValue(ticket, out var batch))
            {
                inFlight[ticket] = batch with { HoldUntil = clock.GetUtcNow().UtcDateTime + FailedHold };
            }

            quietSince = clock.GetUtcNow().UtcDateTime;
        }
    }

    /// <summary>
    /// How far this worker has caught up, as of now; null while it cannot vouch for anything yet (started, nothing
    /// consumed, not yet quiet). <paramref name="receiving"/>: the rollup endpoint is connected to the broker.
    /// </summary>
    public DateTime? CaughtUpTo(bool receiving, TimeSpan quietPeriod)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        lock (gate)
        {
            foreach (var (ticket, batch) in inFlight.Where(b => b.Value.HoldUntil < now).ToList())
            {
                inFlight.Remove(ticket);
            }

            if (!receiving)
            {
                quietSince = now;
            }

            if (inFlight.Count > 0)
            {
                return inFlight.Values.Min(b => b.OldestAccepted);
            }

            return now - quietSince >= quietPeriod ? now - quietPeriod : committedUpTo;
        }
    }

    private readonly record struct InFlight(DateTime OldestAccepted, DateTime? HoldUntil);
}
